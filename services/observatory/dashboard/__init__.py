"""The Observatory's dashboard: a page of charts behind the same login as the API.

The page itself (HTML, script, style, the Vega bundle) holds no data and is served to anyone;
it signs its user in with Keycloak (authorisation code with PKCE) and asks the chart endpoints,
which check roles as every indicator route does, for Vega-Lite specs with the data inlined,
or for the same charts as SVG and PNG (docs/dashboard.md).
"""
