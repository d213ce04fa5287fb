package org.computeledger.ingest;

import java.nio.charset.StandardCharsets;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/** Keyed pseudonyms for user names: no output of the ledger names a person. */
public final class Pseudonyms {
  private Pseudonyms() {}

  /** {@code u-} and the first 16 hex digits of HMAC-SHA256(key, user); null stays null. */
  public static String user(String key, String user) {
    if (user == null || user.isEmpty()) {
      return null;
    }
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
      byte[] h = mac.doFinal(user.getBytes(StandardCharsets.UTF_8));
      StringBuilder sb = new StringBuilder("u-");
      for (int i = 0; i < 8; i++) {
        sb.append(Character.forDigit((h[i] >> 4) & 0xF, 16)).append(Character.forDigit(h[i] & 0xF, 16));
      }
      return sb.toString();
    } catch (java.security.GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is not available in this JVM", e);
    }
  }
}
