// amazon-cognito-identity-js, unmodified: one CognitoUser per username, kept between
// requests as an app keeps it between screens. Configuration: {endpoint, userPoolId,
// clientId}. Sessions are answered as the tokens (and the decoded payloads) they hold.
import {
  AuthenticationDetails,
  CognitoUser,
  CognitoUserPool,
} from "amazon-cognito-identity-js";
import { config, serve } from "./lib/driver.mjs";

const { endpoint, userPoolId, clientId } = config();
const pool = new CognitoUserPool({ UserPoolId: userPoolId, ClientId: clientId, endpoint });
const users = new Map();

function userFor(username) {
  if (!users.has(username)) users.set(username, new CognitoUser({ Username: username, Pool: pool }));
  return users.get(username);
}

function tokens(session) {
  return {
    valid: session.isValid(),
    idToken: session.getIdToken().getJwtToken(),
    accessToken: session.getAccessToken().getJwtToken(),
    refreshToken: session.getRefreshToken().getToken(),
    idPayload: session.getIdToken().decodePayload(),
    accessPayload: session.getAccessToken().decodePayload(),
  };
}

/** Runs a callback-style identity-js call as a promise of its outcome. */
function outcome(start) {
  return new Promise((resolve, reject) => {
    start({
      onSuccess: (session) => resolve({ tokens: tokens(session) }),
      onFailure: reject,
      newPasswordRequired: (userAttributes, requiredAttributes) =>
        resolve({ challenge: "NEW_PASSWORD_REQUIRED", userAttributes, requiredAttributes }),
    });
  });
}

function callback(start) {
  return new Promise((resolve, reject) => {
    start((error, result) => (error ? reject(error) : resolve(result)));
  });
}

await serve({
  async authenticate({ username, password, flow }) {
    const user = userFor(username);
    user.setAuthenticationFlowType(flow ?? "USER_SRP_AUTH");
    const details = new AuthenticationDetails({ Username: username, Password: password });
    return outcome((callbacks) => user.authenticateUser(details, callbacks));
  },
  async completeNewPassword({ username, newPassword }) {
    const user = userFor(username);
    return outcome((callbacks) => user.completeNewPasswordChallenge(newPassword, {}, callbacks));
  },
  async refresh({ username, refreshToken }) {
    const user = userFor(username);
    const token = refreshToken
      ? new (await import("amazon-cognito-identity-js")).CognitoRefreshToken({ RefreshToken: refreshToken })
      : user.getSignInUserSession().getRefreshToken();
    const session = await callback((done) => user.refreshSession(token, done));
    return { tokens: tokens(session) };
  },
  async getUserAttributes({ username }) {
    const attributes = await callback((done) => userFor(username).getUserAttributes(done));
    return Object.fromEntries(attributes.map((a) => [a.getName(), a.getValue()]));
  },
  async changePassword({ username, oldPassword, newPassword }) {
    const user = userFor(username);
    return callback((done) => user.changePassword(oldPassword, newPassword, done));
  },
  async forgotPassword({ username }) {
    const user = userFor(username);
    return new Promise((resolve, reject) => {
      user.forgotPassword({
        onSuccess: (data) => resolve(data),
        onFailure: reject,
        // Called with ForgotPassword's answer when a code was sent; the code itself is
        // read from the outbox by the test, then confirmPassword goes on.
        inputVerificationCode: (data) => resolve(data),
      });
    });
  },
  async confirmPassword({ username, code, newPassword }) {
    const user = userFor(username);
    return new Promise((resolve, reject) => {
      user.confirmPassword(code, newPassword, {
        onSuccess: (result) => resolve({ confirmed: result ?? "SUCCESS" }),
        onFailure: reject,
      });
    });
  },
  async globalSignOut({ username }) {
    const user = userFor(username);
    return new Promise((resolve, reject) => {
      user.globalSignOut({ onSuccess: (result) => resolve({ signedOut: result }), onFailure: reject });
    });
  },
});
