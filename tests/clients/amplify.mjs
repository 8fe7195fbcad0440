// aws-amplify v6 under Node, unmodified: Amplify.configure with the server as
// userPoolEndpoint. Node 20 has what Amplify needs (globalThis.crypto, fetch, atob); with no
// window, Amplify keeps its tokens and sign-in state in its own in-memory storage, so this
// one process is one browser tab. Configuration: {endpoint, userPoolId, clientId}.
import { Amplify } from "aws-amplify";
import {
  confirmResetPassword,
  confirmSignIn,
  fetchAuthSession,
  getCurrentUser,
  resetPassword,
  signIn,
  signOut,
  updatePassword,
} from "aws-amplify/auth";
import { cognitoUserPoolsTokenProvider } from "aws-amplify/auth/cognito";
import { config, serve } from "./lib/driver.mjs";

const { endpoint, userPoolId, clientId } = config();
Amplify.configure({
  Auth: { Cognito: { userPoolId, userPoolClientId: clientId, userPoolEndpoint: endpoint } },
});

// Amplify's documented hook for where tokens are kept: a Map the test can look into
// (the refresh token never leaves Amplify otherwise).
const kept = new Map();
cognitoUserPoolsTokenProvider.setKeyValueStorage({
  async setItem(key, value) { kept.set(key, value); },
  async getItem(key) { return kept.has(key) ? kept.get(key) : null; },
  async removeItem(key) { kept.delete(key); },
  async clear() { kept.clear(); },
});

function jwt(token) {
  return token ? { jwt: token.toString(), payload: token.payload } : null;
}

await serve({
  async signIn({ username, password, authFlowType }) {
    const options = authFlowType ? { authFlowType } : undefined;
    return signIn({ username, password, options });
  },
  async confirmSignIn({ challengeResponse }) {
    return confirmSignIn({ challengeResponse });
  },
  async fetchAuthSession({ forceRefresh }) {
    const session = await fetchAuthSession({ forceRefresh: !!forceRefresh });
    return {
      idToken: jwt(session.tokens?.idToken),
      accessToken: jwt(session.tokens?.accessToken),
      userSub: session.userSub ?? null,
    };
  },
  async getCurrentUser() {
    return getCurrentUser();
  },
  async signOut({ global }) {
    await signOut({ global: !!global });
    return { signedOut: true };
  },
  async resetPassword({ username }) {
    return resetPassword({ username });
  },
  async confirmResetPassword({ username, confirmationCode, newPassword }) {
    await confirmResetPassword({ username, confirmationCode, newPassword });
    return { confirmed: true };
  },
  async storedRefreshToken() {
    const key = [...kept.keys()].find((name) => name.endsWith(".refreshToken"));
    return key ? kept.get(key) : null;
  },
  async updatePassword({ oldPassword, newPassword }) {
    await updatePassword({ oldPassword, newPassword });
    return { updated: true };
  },
});
