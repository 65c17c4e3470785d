package io.foley4j.kernels;

import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.management.ObjectName;

/**
 * Keeps HotSpot's C1 compiler off chosen methods, at run time and with no JVM flag, by adding a compiler directive
 * ({@code [{ match: "Class::method", c1: { Exclude: true } }]}) through the platform {@code DiagnosticCommand} MBean,
 * the same operation as {@code jcmd <pid> Compiler.directives_add}. The method then runs in the interpreter (which
 * profiles it) until C2 compiles it.
 *
 * <p>Why: a micro-kernel with 24 vector accumulators is too large for C1, which gives up on it ("out of virtual
 * registers in LIR generator"), and a method whose C1 tiers fail can be left running C1's tier-2 code at a hundredth
 * of its speed (seen in session 5: 1.4 GFLOP/s). With C1 excluded from the start, the tiered policy sends it straight
 * to C2. The directive affects only the methods it names; it lasts for the life of the JVM.
 */
final class C2Only {
    private C2Only() {}

    /** Why the last {@link #exclude} returned false (null after a success), for reports. */
    static volatile String failure;

    /**
     * Adds the directive for {@code methods} (each {@code "package.Class::method"}; HotSpot refuses a slash-separated
     * package with {@code ::}); true when the JVM confirmed it. False, with the reason in {@link #failure}, where
     * there is no DiagnosticCommand MBean (a runtime image without {@code jdk.management}), the JVM refused the
     * directive (a JVM that is not HotSpot), or the temp file could not be written. A reply worded differently from
     * HotSpot's "N compiler directives added" also counts as false, although the directive may then be in place:
     * the caller's fallback is the safe reading. The first call starts the platform MBean server (~0.1-0.2 s).
     */
    static boolean exclude(String... methods) {
        failure = null;
        StringBuilder json = new StringBuilder("[");
        for (int i = 0; i < methods.length; i++) {
            json.append(i == 0 ? "" : ", ").append("{ match: \"").append(methods[i])
                    .append("\", c1: { Exclude: true } }");
        }
        json.append("]");
        Path file = null;
        try {
            file = Files.createTempFile("foley4j-c2only", ".json");
            Files.writeString(file, json);
            // the MBean joins its arguments with spaces and splits them again: quote the path (a temp directory
            // such as C:\Users\John Smith\AppData\Local\Temp would otherwise arrive as two arguments)
            Object reply = ManagementFactory.getPlatformMBeanServer().invoke(
                    new ObjectName("com.sun.management:type=DiagnosticCommand"), "compilerDirectivesAdd",
                    new Object[] {new String[] {"\"" + file + "\""}}, new String[] {String[].class.getName()});
            // the reply names how many directives were added; a parse error says so instead
            if (reply instanceof String s && s.contains(methods.length + " compiler directives added")) {
                return true;
            }
            failure = "the JVM answered: " + String.valueOf(reply).strip();
            return false;
        } catch (Exception | LinkageError e) {
            failure = e.toString();
            return false;
        } finally {
            if (file != null) {
                try {
                    Files.deleteIfExists(file);
                } catch (Exception ignored) {
                    // a temp file left behind is harmless
                }
            }
        }
    }
}
