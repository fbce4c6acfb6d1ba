// Passkeys (WebAuthn credentials) and their pending challenges. Timestamps are epoch ms.

export interface PasskeysTable {
  id: string;
  user_id: string;
  /** The credential id, base64url: what the authenticator names the credential by. */
  credential_id: string;
  /** The COSE public key, base64url. Public: no secret of the user's is stored for a passkey. */
  public_key: string;
  /** The authenticator's signature counter at the last use (0 when the authenticator keeps none). */
  sign_count: number;
  /** JSON array of transports (usb, nfc, ble, internal, hybrid, …). */
  transports: string;
  backup_eligible: number;
  backup_state: number;
  device_type: 'singleDevice' | 'multiDevice';
  aaguid: string;
  /** The name its owner gave it. */
  name: string;
  created_at: number;
  last_used_at: number | null;
}

export interface PasskeyChallengesTable {
  /** `signin:<interaction uid>` or `register:<user id>`. */
  subject: string;
  challenge: string;
  expires_at: number;
}

export interface PasskeyTables {
  passkeys: PasskeysTable;
  passkey_challenges: PasskeyChallengesTable;
}
