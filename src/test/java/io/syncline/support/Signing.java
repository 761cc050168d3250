package io.syncline.support;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HexFormat;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/** Signs test webhooks the way each provider documents it, independently of Syncline's own code. */
public final class Signing {

    private Signing() {
    }

    public static byte[] hmac(byte[] key, String data) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return mac.doFinal(data.getBytes(StandardCharsets.UTF_8));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** Standard Webhooks: v1,base64(HMAC(base64-decoded key after whsec_, "id.ts.body")). */
    public static String standard(String secret, String id, long ts, String body) {
        byte[] key = Base64.getDecoder().decode(secret.substring("whsec_".length()));
        return "v1," + Base64.getEncoder().encodeToString(hmac(key, id + "." + ts + "." + body));
    }

    public static String github(String secret, String body) {
        return "sha256=" + HexFormat.of().formatHex(hmac(secret.getBytes(StandardCharsets.UTF_8), body));
    }

    public static String stripe(String secret, long ts, String body) {
        return "t=" + ts + ",v1=" + HexFormat.of().formatHex(hmac(secret.getBytes(StandardCharsets.UTF_8), ts + "." + body));
    }

    public static String hmacBase64(String secret, String body) {
        return Base64.getEncoder().encodeToString(hmac(secret.getBytes(StandardCharsets.UTF_8), body));
    }

    public static long now() {
        return System.currentTimeMillis() / 1000;
    }
}
