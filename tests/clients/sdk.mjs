// AWS SDK for JavaScript v3 (@aws-sdk/client-cognito-identity-provider), unmodified:
// any command by name, signed with the configured access key, plus the plain PUT an app
// makes to an import job's pre-signed URL.
import * as idp from "@aws-sdk/client-cognito-identity-provider";
import { config, serve } from "./lib/driver.mjs";

const { endpoint, region, accessKeyId, secretAccessKey } = config();
const client = new idp.CognitoIdentityProviderClient({
  endpoint,
  region,
  credentials: { accessKeyId, secretAccessKey },
  maxAttempts: 1,
});

await serve({
  async send({ command, input }) {
    const Command = idp[`${command}Command`];
    if (!Command) throw new Error(`no such command ${command}`);
    const output = await client.send(new Command(input ?? {}));
    return { ...output, httpStatusCode: output.$metadata.httpStatusCode };
  },
  async put({ url, body, headers }) {
    const response = await fetch(url, { method: "PUT", body, headers });
    return { status: response.status, body: await response.text() };
  },
});
