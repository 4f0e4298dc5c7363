/**
 * The credential types Nango (0.71.4) stores, by the `type` each connection's credentials carry:
 * what both lines' schemas decode by their own schema (any other type is kept as unknown), and
 * what the emulator can make with fresh secrets.
 */

/** Every credential type Nango has. */
export const credentialTypes = [
  "OAUTH2",
  "OAUTH1",
  "OAUTH2_CC",
  "API_KEY",
  "BASIC",
  "APP",
  "CUSTOM",
  "TBA",
  "JWT",
  "BILL",
  "TWO_STEP",
  "SIGNATURE",
  "AWS_SIGV4",
] as const

/** A credential type Nango has. */
export type CredentialType = (typeof credentialTypes)[number]
