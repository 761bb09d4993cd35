"""The WSGI application the benchmark serves: Clientela's own (`clientela.wsgi`), unchanged.

Only when the environment has ``CLIENTELA_QUERY_COUNT_HEADER=1`` each response also carries
``X-Query-Count``: the SQL queries the request ran on the default database, counted by a
database execute wrapper. Transaction control (BEGIN, SAVEPOINT, RELEASE, COMMIT, ROLLBACK) is
not counted: SQLite's driver sends it as statements, psycopg as protocol calls, and a count that
differs by database would compare nothing. Never on by default; the benchmark runner turns it
on for its servers.
"""

import os

from clientela.wsgi import application as clientela_application

HEADER = "X-Query-Count"
TRANSACTION_CONTROL = ("BEGIN", "SAVEPOINT", "RELEASE", "COMMIT", "ROLLBACK")


def with_query_count(app):
    from django.db import connections

    def counted(environ, start_response):
        executed = 0

        def count(execute, sql, params, many, context):
            nonlocal executed
            if not sql.lstrip()[:9].upper().startswith(TRANSACTION_CONTROL):
                executed += 1
            return execute(sql, params, many, context)

        def start(status, headers, exc_info=None):
            return start_response(status, [*headers, (HEADER, str(executed))], exc_info)

        with connections["default"].execute_wrapper(count):
            return app(environ, start)

    return counted


if os.environ.get("CLIENTELA_QUERY_COUNT_HEADER") == "1":
    application = with_query_count(clientela_application)
else:
    application = clientela_application
