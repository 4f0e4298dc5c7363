// Live-shaped bodies, copied from nango/fixtures/connect so that the benchmark runs from a clean clone.
export const getSessionBody =
  '{"data": {"endUser": {"id": "knownId", "display_name": null, "email": "a@b.com", "tags": null, "organization": null}, "connectUISettings": {"showWatermark": true, "defaultTheme": "system", "theme": {"light": {"primary": "#00B2E3"}, "dark": {"primary": "#00B2E3"}}}, "allowed_integrations": ["github"], "websocketsPath": "/"}}'

export const createSessionBody =
  '{"data": {"token": "nango_connect_session_e7db64b9d5d167828a30bdc449200cead3027d8ba1acbaa6666516ab99352306", "connect_link": "https://connect.nango.dev/?session_token=nango_connect_session_e7db64b9d5d167828a30bdc449200cead3027d8ba1acbaa6666516ab99352306", "expires_at": "2026-08-21T10:30:00.412Z"}}'

// A connection as GET /connections/{id} answers it (docs/nango-server.md, "Connections"): OAuth 2
// credentials with their raw answer, dates in the +00:00 form that endpoint writes.
export const getConnectionBody = JSON.stringify({
  id: 7,
  connection_id: "conn-1",
  provider_config_key: "github",
  provider: "github",
  errors: [],
  end_user: { id: "user-42", display_name: null, email: "ada@example.com", tags: null, organization: null },
  tags: { end_user_id: "user-42", plan: "pro" },
  metadata: { seats: 3 },
  connection_config: {},
  webhook_url_override: null,
  created_at: "2026-08-21T10:30:00.412+00:00",
  updated_at: "2026-08-21T10:30:00.412+00:00",
  last_fetched_at: "2026-08-21T10:31:00.101+00:00",
  credentials: {
    type: "OAUTH2",
    access_token: "gho_16C7e42F292c6912E7710c838347Ae178B4a",
    expires_at: "2026-08-21T11:30:00.412Z",
    raw: { access_token: "gho_16C7e42F292c6912E7710c838347Ae178B4a", token_type: "bearer", scope: "repo" },
  },
})

// A provider's answer as Nango's proxy passes it back: a GitHub user, as GET /user answers it.
export const providerUserBody = JSON.stringify({
  login: "octocat",
  id: 583231,
  node_id: "MDQ6VXNlcjU4MzIzMQ==",
  avatar_url: "https://avatars.githubusercontent.com/u/583231?v=4",
  html_url: "https://github.com/octocat",
  type: "User",
  site_admin: false,
  name: "The Octocat",
  company: "@github",
  blog: "https://github.blog",
  location: "San Francisco",
  email: null,
  bio: null,
  public_repos: 8,
  followers: 9000,
  following: 9,
  created_at: "2011-01-25T18:44:36Z",
  updated_at: "2026-08-21T10:30:00Z",
})

// A page of 100 synced records as GET /records answers it: each record's fields, its id, and
// _nango_metadata with Postgres' timestamps and the record's cursor.
export const recordsPageBody = JSON.stringify({
  next_cursor: "MjAyNi0wMS0xNVQxMDowMDowMC4xMjM0NTYrMDA6MDB8fDBiNmY1YTUyLTRhNWItNGM2ZC04ZTdmLTAxMjM0NTY3ODlhYg==",
  records: Array.from({ length: 100 }, (_, index) => ({
    id: `issue-${index}`,
    title: `Crash when the connection is refreshed (${index})`,
    state: index % 3 === 0 ? "closed" : "open",
    number: 1000 + index,
    labels: ["bug", "p1"],
    _nango_metadata: {
      first_seen_at: "2026-01-15T10:00:00.123456+00:00",
      last_modified_at: `2026-01-15T10:00:${String(index % 60).padStart(2, "0")}.123456+00:00`,
      last_action: index % 5 === 0 ? "UPDATED" : "ADDED",
      deleted_at: null,
      pruned_at: null,
      cursor: "MjAyNi0wMS0xNVQxMDowMDowMC4xMjM0NTYrMDA6MDB8fDBiNmY1YTUyLTRhNWItNGM2ZC04ZTdmLTAxMjM0NTY3ODlhYg==",
    },
  })),
})

/** The connection the benchmark reads, and its integration. */
export const connectionId = "conn-1"
export const providerConfigKey = "github"

export const token = JSON.parse(createSessionBody).data.token
export const secretKey = "5d4c3b2a-1f0e-4d9c-8b7a-6f5e4d3c2b1a"
