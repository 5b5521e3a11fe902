import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { UnauthorizedError, type OAuthClientProvider } from "@modelcontextprotocol/sdk/client/auth.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import type {
  OAuthClientInformationMixed,
  OAuthClientMetadata,
  OAuthTokens,
} from "@modelcontextprotocol/sdk/shared/auth.js";
import type { SurfaceName } from "../../src/config/schema";
import { TEST_PASSWORD, type TestAppliance } from "./appliance";
import { CookieJar, fetchWithJar, formBody, hiddenInputs, TEST_REDIRECT_URI } from "./oauth";

/** One OAuth client registration shared by the providers of several surfaces (one assistant, three servers). */
export interface SharedRegistration {
  info?: OAuthClientInformationMixed;
}

/**
 * The MCP SDK's OAuthClientProvider, with the human part (sign-in and consent pages) driven over HTTP: when
 * the SDK "redirects" to the authorization URL, the forms are filled in and the code from the final redirect
 * is kept for `finishAuth`. `interactive = false` makes it behave like a user who is not there.
 */
export class FormDrivenOAuthProvider implements OAuthClientProvider {
  interactive = true;
  pendingCode: string | undefined;
  private stored: OAuthTokens | undefined;
  private verifier = "";

  constructor(
    private readonly email: string,
    private readonly registration: SharedRegistration,
  ) {}

  get redirectUrl(): string {
    return TEST_REDIRECT_URI;
  }
  get clientMetadata(): OAuthClientMetadata {
    return {
      client_name: "E2E assistant",
      redirect_uris: [TEST_REDIRECT_URI],
      token_endpoint_auth_method: "none",
      grant_types: ["authorization_code", "refresh_token"],
      response_types: ["code"],
    };
  }
  clientInformation() {
    return this.registration.info;
  }
  saveClientInformation(info: OAuthClientInformationMixed) {
    this.registration.info = info;
  }
  tokens() {
    return this.stored;
  }
  saveTokens(tokens: OAuthTokens) {
    this.stored = tokens;
  }
  saveCodeVerifier(v: string) {
    this.verifier = v;
  }
  codeVerifier() {
    return this.verifier;
  }

  async redirectToAuthorization(url: URL): Promise<void> {
    if (!this.interactive) throw new Error("authorization needs the user, who is not there");
    const jar = new CookieJar();
    let res = await fetchWithJar(jar, url.href);
    let html = await res.text();
    if (html.includes('action="/oauth/authorize/sign-in"')) {
      res = await fetchWithJar(
        jar,
        new URL("/oauth/authorize/sign-in", url).href,
        formBody({ ...hiddenInputs(html), email: this.email, password: TEST_PASSWORD }),
      );
      res = await fetchWithJar(jar, new URL(res.headers.get("location")!, url).href);
      html = await res.text();
    }
    if (!html.includes('action="/oauth/authorize/consent"'))
      throw new Error(`no consent page: ${res.status} ${html.slice(0, 300)}`);
    res = await fetchWithJar(
      jar,
      new URL("/oauth/authorize/consent", url).href,
      formBody({ ...hiddenInputs(html), decision: "allow" }),
    );
    const location = new URL(res.headers.get("location")!);
    this.pendingCode = location.searchParams.get("code") ?? undefined;
    if (!this.pendingCode) throw new Error(`authorization refused: ${location.href}`);
  }
}

/** Connects an SDK Client to a surface the way an assistant does: 401 -> discovery -> DCR -> authorize -> token. */
export async function connectWithOAuth(
  app: TestAppliance,
  surface: SurfaceName,
  provider: FormDrivenOAuthProvider,
  path = "",
): Promise<Client> {
  const url = new URL(`${app.baseUrl}/${surface}${path}`);
  const first = new Client({ name: "e2e-assistant", version: "1.0.0" });
  try {
    await first.connect(new StreamableHTTPClientTransport(url, { authProvider: provider }));
    return first;
  } catch (err) {
    if (!(err instanceof UnauthorizedError)) throw err;
  }
  const finishing = new StreamableHTTPClientTransport(url, { authProvider: provider });
  await finishing.finishAuth(provider.pendingCode!);
  const client = new Client({ name: "e2e-assistant", version: "1.0.0" });
  await client.connect(new StreamableHTTPClientTransport(url, { authProvider: provider }));
  return client;
}
