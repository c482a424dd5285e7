"""The integration API (/api/v1/): a company's own systems read and change Doorstep here.

Views parse requests and write answers; every change goes through the domain's services,
like the portal's and the back office's.
"""
