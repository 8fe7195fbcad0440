// amazon-cognito-identity-js's own SRP client math, unmodified, against a challenge read
// as JSON from stdin: prints A, the timestamp and the claim signature it would send,
// the signature composed as CognitoUser.authenticateUserDefaultAuth composes it.
"use strict";
const path = require("node:path");
const modules = process.argv[2];
const lib = (name) => require(path.join(modules, "amazon-cognito-identity-js", "lib", name));
const AuthenticationHelper = lib("AuthenticationHelper.js").default;
const BigInteger = lib("BigInteger.js").default;
const DateHelper = lib("DateHelper.js").default;
const { Sha256 } = require(path.join(modules, "@aws-crypto", "sha256-js"));

function sign(hkdf, c, timestamp) {
  const message = Buffer.concat([
    Buffer.from(c.poolName, "utf8"),
    Buffer.from(c.userIdForSrp, "utf8"),
    Buffer.from(c.secretBlock, "base64"),
    Buffer.from(timestamp, "utf8"),
  ]);
  const hash = new Sha256(hkdf);
  hash.update(message);
  return Buffer.from(hash.digestSync()).toString("base64");
}

function key(helper, c, password) {
  return new Promise((resolve, reject) => {
    helper.getPasswordAuthenticationKey(
      c.userIdForSrp, password, new BigInteger(c.srpB, 16), new BigInteger(c.salt, 16),
      (err, hkdf) => (err ? reject(err) : resolve(hkdf)),
    );
  });
}

async function main() {
  const chunks = [];
  for await (const chunk of process.stdin) chunks.push(chunk);
  const c = JSON.parse(Buffer.concat(chunks).toString("utf8"));
  const helper = new AuthenticationHelper(c.poolName);
  const srpA = await new Promise((resolve, reject) =>
    helper.getLargeAValue((err, a) => (err ? reject(err) : resolve(a))),
  );
  const timestamp = new DateHelper().getNowString();
  const right = await key(helper, c, c.password);
  const wrong = await key(helper, c, c.password + "x");
  process.stdout.write(JSON.stringify({
    srpA: srpA.toString(16),
    timestamp,
    signature: sign(right, c, timestamp),
    wrongSignature: sign(wrong, c, timestamp),
  }));
}

main().catch((err) => { console.error(err); process.exit(1); });
