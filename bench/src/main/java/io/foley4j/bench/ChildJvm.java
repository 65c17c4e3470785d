package io.foley4j.bench;

import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The start of a command line for a child JVM like this one: this JVM's {@code java} and its options (the module,
 * native-access and JIT flags {@code bin/foley} sets, and any {@code FOLEY4J_JAVA_OPTS}), without agents and without
 * the heap cap, which the caller chooses. A child measured with other JIT flags than {@code bin/foley}'s measures
 * another program: the GEMM tiles, for one, need {@code -XX:PerMethodRecompilationCutoff} (README, Configuration).
 */
final class ChildJvm {
    private ChildJvm() {}

    /** {@code java}, this JVM's options but agents and {@code -Xmx}, then {@code extra}; a list the caller extends. */
    static List<String> command(String... extra) {
        List<String> cmd = new ArrayList<>();
        cmd.add(ProcessHandle.current().info().command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        for (String a : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (!a.startsWith("-agentlib") && !a.startsWith("-javaagent") && !a.startsWith("-Xmx")) cmd.add(a);
        }
        cmd.addAll(List.of(extra));
        return cmd;
    }
}
