package io.foley4j.loader;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/** The temporary file an output is written to before it is renamed over its target (never half-written). */
public final class OutputFiles {
    private OutputFiles() {}

    /**
     * A new empty {@code .<name>.*.part} file in {@code target}'s folder, with the permissions the output should end
     * up with: the target's own when it exists, else rw-r--r-- (what a umask of 022 gives new files).
     * {@link Files#createTempFile} alone makes rw------- files, which a web server or another user could not read.
     */
    public static Path tempBeside(Path target) throws IOException {
        Path abs = target.toAbsolutePath();
        Path temp = Files.createTempFile(abs.getParent(), "." + abs.getFileName() + ".", ".part");
        try {
            if (Files.getFileAttributeView(temp, PosixFileAttributeView.class) != null) {
                Set<PosixFilePermission> p = Files.exists(abs) ? Files.getPosixFilePermissions(abs)
                        : PosixFilePermissions.fromString("rw-r--r--");
                Files.setPosixFilePermissions(temp, p);
            }
            return temp;
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(temp);
            throw e;
        }
    }
}
