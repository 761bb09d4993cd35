"""The system carries its own process definition: procedure PSC 004 "Gestión del Cliente" as a
controlled document (version 000 of 01.12.2024, approved by the CEO) and its risks (§5) and
opportunities (§6) in the register, waiting for their assessment."""

import datetime as dt

from django.db import migrations

PSC_004_TEXT = """PSC 004 | Gestión del Cliente
Crea: EGC · Aprueba: CEO · Ver. 0 · Fecha: 01.12.2024

1.- Objetivo del Proceso

Asegurar la satisfacción del cliente mediante la identificación, análisis y cumplimiento de sus requisitos, necesidades y expectativas, promoviendo relaciones de largo plazo y la mejora continua de los servicios o productos ofrecidos.

2.- Alcance del Proceso

El proceso abarca desde la captación de requisitos y expectativas del cliente, la comunicación efectiva, hasta la entrega del producto o servicio final, incluyendo el monitoreo de la satisfacción del cliente y la implementación de mejoras.

3.- Matriz del Proceso

ENTRADAS → PROCEDIMIENTOS (actividades) → SALIDAS
- Requisitos y expectativas del cliente → Identificación y documentación de requisitos → Requisitos documentados y priorizados
- Quejas y sugerencias de clientes → Análisis y resolución de quejas → Planes de acción correctiva
- Resultados de encuestas de satisfacción → Evaluación de resultados y tendencias → Informes de satisfacción del cliente
- Contratos y normativas aplicables → Revisión y cumplimiento de términos contractuales → Entregas conforme a lo establecido.

3.- Recursos del proceso

3.1.- Recursos

Para este proceso de Gestión de Contratos y Clientes se requieren:
- Humanos: Personal de atención al cliente, gerentes de cuentas y equipos operativos.
- Financieros: Presupuesto asignado para herramientas de monitoreo de satisfacción y atención de quejas.
- Tecnológicos: Sistemas de CRM (Customer Relationship Management) y herramientas de seguimiento de satisfacción.
- Información: Registros históricos de clientes, contratos y resultados de encuestas de satisfacción.

3.2.- Responsables

- Equipo de atención al cliente
- Gerente del área de ventas o relaciones comerciales
- Representantes de calidad.

4.- Seguimiento

4.1 Metodología

El seguimiento del proceso de Gestión de Contratos y Clientes se realiza mediante:
- Monitoreo continuo de las interacciones con los clientes.
- Realización de encuestas de satisfacción en puntos clave del ciclo de vida del cliente.
- Evaluación periódica de quejas y resolución de problemas.
- Uso de herramientas analíticas para medir tendencias de satisfacción y fidelidad.

4.1.- Indicadores

% de contratos cumplidos en tiempo y forma.
% de satisfacción del cliente.
(Mide el desempeño del Proceso 004)

CCT = (N.º de contratos cumplidos / Total de contratos) × 100
SC = (Clientes satisfechos / Total de clientes encuestados) × 100

Justificación: Un cumplimiento alto en ambos indicadores refleja un desempeño eficiente en la gestión de contratos y la satisfacción del cliente. Resultados inferiores a las metas requieren análisis y acciones correctivas inmediatas.

Fuente de Datos: Encuestas de satisfacción, auditorías internas, registros de contratos.

Frecuencia de Evaluación: Trimestral, con revisión por la Alta Dirección.

Plan de Acción: Si los indicadores están fuera de rango, se revisarán los recursos asignados y se desarrollarán planes de mejora.

5.- Análisis y evaluación de riesgos del proceso

La evaluación de riesgos en el proceso de Gestión de Clientes incluye:
- Requisitos no Claros: Falta de comprensión o comunicación de las necesidades del cliente.
- Respuestas Lentamente: Demoras en la atención a quejas o solicitudes.
- Falta de Herramientas Adecuadas: Limitaciones tecnológicas para el monitoreo y seguimiento.

6.- Análisis y evaluación de oportunidades del proceso

- Automatización del CRM: Implementación de software para gestionar la relación con clientes.
- Encuestas Digitales: Uso de plataformas digitales para recolectar datos de satisfacción en tiempo real.
- Capacitación en Atención al Cliente: Mejora de habilidades del equipo de atención para resolver problemas de manera efectiva.
- Programas de Fidelización: Desarrollar estrategias para recompensar y retener a clientes leales.

7.- Documentación de Referencia

- Contratos con clientes.
- Informes de encuestas de satisfacción.
- Registros de atención de quejas y sugerencias.
- Programas de fidelización y comunicación.

8.- Historial de Versiones

Versión | Fecha | Asiento | Aprueba
000 | 01.12.2024 | Original | CEO
"""

SOURCE_RISKS = "PSC 004 §5 Análisis y evaluación de riesgos del proceso"
SOURCE_OPPORTUNITIES = "PSC 004 §6 Análisis y evaluación de oportunidades del proceso"

# code, kind, title, description, source, live signal
REGISTER = [
    (
        "R-01",
        "risk",
        "Requisitos no claros",
        "Falta de comprensión o comunicación de las necesidades del cliente.",
        SOURCE_RISKS,
        "requirements_in_clarification",
    ),
    (
        "R-02",
        "risk",
        "Respuestas lentas",
        "Demoras en la atención a quejas o solicitudes.",
        SOURCE_RISKS,
        "complaint_sla_breach_rate",
    ),
    (
        "R-03",
        "risk",
        "Falta de herramientas adecuadas",
        "Limitaciones tecnológicas para el monitoreo y seguimiento.",
        SOURCE_RISKS,
        "late_interactions",
    ),
    (
        "O-01",
        "opportunity",
        "Automatización del CRM",
        "Implementación de software para gestionar la relación con clientes.",
        SOURCE_OPPORTUNITIES,
        "",
    ),
    (
        "O-02",
        "opportunity",
        "Encuestas digitales",
        "Uso de plataformas digitales para recolectar datos de satisfacción en tiempo real.",
        SOURCE_OPPORTUNITIES,
        "",
    ),
    (
        "O-03",
        "opportunity",
        "Capacitación en atención al cliente",
        "Mejora de habilidades del equipo de atención para resolver problemas de manera efectiva.",
        SOURCE_OPPORTUNITIES,
        "",
    ),
    (
        "O-04",
        "opportunity",
        "Programas de fidelización",
        "Desarrollar estrategias para recompensar y retener a clientes leales.",
        SOURCE_OPPORTUNITIES,
        "",
    ),
]


def seed_process_records(apps, schema_editor):
    """Idempotent: creates what is missing and leaves what exists as it is."""
    ControlledDocument = apps.get_model("indicators", "ControlledDocument")
    DocumentVersion = apps.get_model("indicators", "DocumentVersion")
    RiskOpportunity = apps.get_model("indicators", "RiskOpportunity")
    document, _ = ControlledDocument.objects.get_or_create(
        code="PSC 004", defaults={"title": "Gestión del Cliente", "author": "EGC", "approver": "CEO"}
    )
    if not DocumentVersion.objects.filter(document=document, version="000").exists():
        DocumentVersion.objects.create(
            document=document,
            version="000",
            status="in_force",
            effective_date=dt.date(2024, 12, 1),
            change_summary="Original",
            body=PSC_004_TEXT,
            approver_label="CEO",
        )
    for code, kind, title, description, source, signal in REGISTER:
        RiskOpportunity.objects.get_or_create(
            code=code,
            defaults={"kind": kind, "title": title, "description": description, "source": source, "signal": signal},
        )


def remove_process_records(apps, schema_editor):
    apps.get_model("indicators", "RiskOpportunity").objects.filter(code__in=[r[0] for r in REGISTER]).delete()
    DocumentVersion = apps.get_model("indicators", "DocumentVersion")
    DocumentVersion.objects.filter(document__code="PSC 004").delete()
    apps.get_model("indicators", "ControlledDocument").objects.filter(code="PSC 004").delete()


class Migration(migrations.Migration):
    dependencies = [("indicators", "0001_indicators_reviews_risks_documents")]

    operations = [migrations.RunPython(seed_process_records, remove_process_records)]
