"""Customer-service training and competence."""
