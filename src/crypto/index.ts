export { base64URLEncode, base64URLDecode } from './base64url.js';
export { generateRandomString } from './random-string.js';
export { generatePKCE, computeCodeChallenge, type PKCEPair } from './pkce.js';
export { createKeyRing, type EncryptionKey, type KeyRing } from './key-ring.js';
export {
  sealToken,
  openToken,
  sealedKeyId,
  createTokenCipher,
  TokenSealError,
  type SealContext,
  type TokenCipher,
} from './token-sealing.js';
export { encrypt, decrypt, configureEncryption } from './encrypt.js';
