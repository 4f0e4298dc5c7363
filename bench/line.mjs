// One line of effect-nango as the benchmark drives it, given where the line's package is built and
// the line's own Effect: each line's bench module (bench/effect4.mjs, effect3/bench/effect3.mjs)
// passes them, so that every import resolves to that line's Effect. makeCall returns a function
// making one call and resolving when it is decoded.

/** The line's name, its Effect and build, and `makeCall`. */
export const lineOf = (line) => ({
  ...line,
  /**
   * One client, on one transport: `own` (layerNangoConnect, or layerNango for getConnection),
   * `fetch`, or `platform-node`; `call` is `get`, `create`, `connection` (getConnection) or
   * `proxy` (a GET through NangoProxy, its JSON body read) or `records` (a page of 100 records
   * through NangoSyncs.listRecords, each decoded with a model's Schema and its metadata).
   */
  makeCall: async ({ baseUrl, secretKey, token, transport, call, retry, connection }) => {
    const { Layer, ManagedRuntime } = line.effect
    const { NangoConnect, NangoConnections, NangoProxy, NangoSyncs } = await import(new URL("index.js", line.dist))
    const NangoHttpClient = await import(new URL("NangoHttpClient.js", line.dist))
    const options = { secretKey, baseUrl, ...(retry === undefined ? {} : { retry }) }
    // Loaded only when used, so that the import cost measured is the line's own.
    const http = transport === "own" ? undefined : await line.httpLayer(transport)
    // getConnection and the proxy run on layerNango (every service), the session calls on layerNangoConnect.
    const services = { connection: NangoConnections, proxy: NangoProxy, records: NangoSyncs }
    const service = services[call] ?? NangoConnect
    const onNango = call in services
    const own = onNango ? NangoHttpClient.layerNango : NangoHttpClient.layerNangoConnect
    const live = http === undefined ? own(options) : service.layer(options).pipe(Layer.provide(http))
    const runtime = ManagedRuntime.make(live)
    const client = await runtime.runPromise(
      { connection: NangoConnections.NangoConnections, proxy: NangoProxy.NangoProxy, records: NangoSyncs.NangoSyncs }[
        call
      ] ?? NangoConnect.NangoConnect,
    )
    if (call === "records") {
      // The model's own fields, as an application describes them.
      const { Schema } = line.effect
      const Issue = Schema.Struct({
        id: Schema.String,
        title: Schema.String,
        state: Schema.String,
        number: Schema.Number,
        labels: Schema.Array(Schema.String),
      })
      const query = { ...connection, model: "Issue", limit: 100 }
      return () => runtime.runPromise(client.listRecords(query, Issue))
    }
    if (call === "proxy") {
      // One HttpClient for the connection, made once, as an application keeps it.
      const provider = await runtime.runPromise(client.client(connection))
      const { Effect } = line.effect
      return () => runtime.runPromise(Effect.flatMap(provider.get("/user"), (response) => response.json))
    }
    // Each call builds its effect, as a server handling requests does: one per incoming token or body.
    const effect =
      call === "create"
        ? () => client.createConnectSession({ end_user: { id: "user-42", email: "ada@example.com" } })
        : call === "connection"
          ? () => client.getConnection(connection.connectionId, { providerConfigKey: connection.providerConfigKey })
          : () => client.getConnectSession(token)
    return () => runtime.runPromise(effect())
  },
})
