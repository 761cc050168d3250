package io.syncline.webhook;

import java.security.GeneralSecurityException;
import java.security.MessageDigest;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/** HMAC (SHA-256, and SHA-1 for Intercom) and a constant-time comparison, the primitives every scheme shares (JDK only). */
public final class Hmac {

    private Hmac() {
    }

    public static byte[] sha256(byte[] key, byte[]... parts) {
        return of("HmacSHA256", key, parts);
    }

    /** HMAC-SHA1, which Intercom still signs with. */
    public static byte[] sha1(byte[] key, byte[]... parts) {
        return of("HmacSHA1", key, parts);
    }

    private static byte[] of(String algorithm, byte[] key, byte[]... parts) {
        try {
            Mac mac = Mac.getInstance(algorithm);
            mac.init(new SecretKeySpec(key, algorithm));
            for (byte[] part : parts) {
                mac.update(part);
            }
            return mac.doFinal();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A header the scheme needs, or a rejection that names it. */
    static String required(SignatureScheme.Headers headers, String name) {
        String v = headers.apply(name);
        if (v == null || v.isBlank()) {
            throw new SignatureScheme.SignatureRejected("missing " + name + " header");
        }
        return v.trim();
    }

    /** A base64 signature from a header, or a rejection that names the header. */
    static byte[] base64(String value, String header) {
        try {
            return java.util.Base64.getDecoder().decode(value.trim());
        } catch (IllegalArgumentException e) {
            throw new SignatureScheme.SignatureRejected(header + " is not base64");
        }
    }

    /** Constant time in the length of the expected value: no early exit on the first differing byte. */
    public static boolean same(byte[] expected, byte[] given) {
        return given != null && MessageDigest.isEqual(expected, given);
    }
}
