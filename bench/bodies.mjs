// Live-shaped bodies, copied from nango/fixtures/connect so that the benchmark runs from a clean clone.
export const getSessionBody =
  '{"data": {"endUser": {"id": "knownId", "display_name": null, "email": "a@b.com", "tags": null, "organization": null}, "connectUISettings": {"showWatermark": true, "defaultTheme": "system", "theme": {"light": {"primary": "#00B2E3"}, "dark": {"primary": "#00B2E3"}}}, "allowed_integrations": ["github"], "websocketsPath": "/"}}'

export const createSessionBody =
  '{"data": {"token": "nango_connect_session_e7db64b9d5d167828a30bdc449200cead3027d8ba1acbaa6666516ab99352306", "connect_link": "https://connect.nango.dev/?session_token=nango_connect_session_e7db64b9d5d167828a30bdc449200cead3027d8ba1acbaa6666516ab99352306", "expires_at": "2026-08-21T10:30:00.412Z"}}'

export const token = JSON.parse(createSessionBody).data.token
export const secretKey = "5d4c3b2a-1f0e-4d9c-8b7a-6f5e4d3c2b1a"
