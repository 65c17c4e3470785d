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
     * Adds the directive for {@code methods} (each {@code "package.Class::method"}; a slash-separated package with {@code ::} is refused); true when the JVM accepted it.
     * False, and nothing changed, where there is no DiagnosticCommand MBean (a runtime image without
     * {@code java.management} or {@code jdk.management}) or the JVM refused the directive (a JVM that is not
     * HotSpot): callers then keep to code that C1 compiles.
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
            Object reply = ManagementFactory.getPlatformMBeanServer().invoke(
                    new ObjectName("com.sun.management:type=DiagnosticCommand"), "compilerDirectivesAdd",
                    new Object[] {new String[] {file.toString()}}, new String[] {String[].class.getName()});
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
