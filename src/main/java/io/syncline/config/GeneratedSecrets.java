package io.syncline.config;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Optional;
import java.util.function.Function;

/**
 * A secret that, when not configured, is generated once into the data directory (readable by
 * its owner only) and reused after restarts. Only outside production: there, a missing secret
 * is a configuration error that callers report.
 */
public final class GeneratedSecrets {

    private static final SecureRandom RANDOM = new SecureRandom();

    private GeneratedSecrets() {
    }

    /** A secret as read or written, and whether it was written just now. */
    public record Secret(String value, Path file, boolean created) {
    }

    /**
     * @param encode turns random bytes into the secret's text form
     * @return the stored or newly generated secret
     */
    public static Secret readOrCreate(Path dataDir, String fileName, int bytes, Function<byte[], String> encode) {
        Path file = dataDir.resolve(fileName);
        try {
            Optional<String> existing = Files.exists(file) ? Optional.of(Files.readString(file).trim()) : Optional.empty();
            if (existing.isPresent()) {
                return new Secret(existing.get(), file, false);
            }
            Files.createDirectories(dataDir);
            byte[] raw = new byte[bytes];
            RANDOM.nextBytes(raw);
            String value = encode.apply(raw);
            Files.writeString(file, value);
            try {
                Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
            } catch (UnsupportedOperationException ignored) {
                // not a POSIX file system
            }
            return new Secret(value, file, true);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read or create " + file + ": " + e.getMessage());
        }
    }
}
