"""The user tools' side of the wire: ``validate``, ``run`` and ``report`` talk to this
server or to AWS only through the public cognito-idp and CloudWatch Logs APIs (boto3)."""
