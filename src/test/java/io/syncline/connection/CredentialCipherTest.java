package io.syncline.connection;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CredentialCipherTest {

    static final String KEY = Base64.getEncoder().encodeToString(new byte[32]);

    @Test
    void roundTripsAndNeverRepeatsACiphertext() {
        CredentialCipher cipher = new CredentialCipher(Optional.of(KEY), "unused", false, Optional.empty());
        String a = cipher.encrypt("{\"api_key\":\"s3cret\"}");
        String b = cipher.encrypt("{\"api_key\":\"s3cret\"}");
        assertNotEquals(a, b, "a fresh nonce per value");
        assertFalse(a.contains("s3cret"));
        assertEquals("{\"api_key\":\"s3cret\"}", cipher.decrypt(a));
    }

    @Test
    void alteredCiphertextOrAnotherKeyIsRefused() {
        CredentialCipher cipher = new CredentialCipher(Optional.of(KEY), "unused", false, Optional.empty());
        String sealed = cipher.encrypt("value");
        char last = sealed.charAt(sealed.length() - 2);
        String altered = sealed.substring(0, sealed.length() - 2) + (last == 'A' ? 'B' : 'A') + sealed.charAt(sealed.length() - 1);
        assertThrows(IllegalStateException.class, () -> cipher.decrypt(altered));
        byte[] other = new byte[32];
        other[0] = 1;
        CredentialCipher another = new CredentialCipher(Optional.of(Base64.getEncoder().encodeToString(other)), "unused",
                false, Optional.empty());
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> another.decrypt(sealed));
        assertTrue(e.getMessage().contains("sealed with key"), e.getMessage());
    }

    @Test
    void afterARotationTheOldKeyStillOpensAndResealingMovesToTheNewKey() {
        byte[] newRaw = new byte[32];
        newRaw[31] = 7;
        String newKey = Base64.getEncoder().encodeToString(newRaw);
        CredentialCipher old = new CredentialCipher(Optional.of(KEY), "unused", false, Optional.empty());
        String sealedOld = old.encrypt("s3cret");
        CredentialCipher rotated = new CredentialCipher(Optional.of(newKey), "unused", false,
                Optional.of(java.util.List.of(KEY)));
        assertEquals("s3cret", rotated.decrypt(sealedOld));
        assertTrue(rotated.sealedWithOlderKey(sealedOld));
        String resealed = rotated.encrypt(rotated.decrypt(sealedOld));
        assertFalse(rotated.sealedWithOlderKey(resealed));
        CredentialCipher onlyNew = new CredentialCipher(Optional.of(newKey), "unused", false, Optional.empty());
        assertEquals("s3cret", onlyNew.decrypt(resealed));
        assertThrows(IllegalStateException.class, () -> onlyNew.decrypt(sealedOld));
    }

    @Test
    void aKeyThatIsNotThirtyTwoBytesIsRefusedClearly() {
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> new CredentialCipher(Optional.of("c2hvcnQ="), "unused", false, Optional.empty()));
        assertTrue(e.getMessage().contains("32 bytes"), e.getMessage());
    }

    @Test
    void withoutAKeyProductionRefusesToStart(@TempDir Path dir) {
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> new CredentialCipher(Optional.empty(), dir.toString(), false, Optional.empty()));
        assertTrue(e.getMessage().contains("SYNCLINE_ENCRYPTION_KEY"), e.getMessage());
        assertFalse(Files.exists(dir.resolve("encryption.key")));
    }

    @Test
    void withoutAKeyOutsideProductionOneIsGeneratedOnceAndReused(@TempDir Path dir) {
        CredentialCipher first = new CredentialCipher(Optional.empty(), dir.toString(), true, Optional.empty());
        assertTrue(Files.exists(dir.resolve("encryption.key")));
        CredentialCipher second = new CredentialCipher(Optional.empty(), dir.toString(), true, Optional.empty());
        assertEquals("x", second.decrypt(first.encrypt("x")));
    }
}
