package io.foley4j.pipeline;

import io.foley4j.engine.WorkerPool;
import io.foley4j.kernels.Simd;

/** Command-line entry point (bin/foley). */
public final class Main {
    private Main() {}

    public static void main(String[] args) {
        String cmd = args.length == 0 ? "help" : args[0];
        switch (cmd) {
            case "help", "--help", "-h" -> usage();
            case "env" -> System.out.printf("Java %s, %s, %d threads (foley4j.threads)%n",
                    Runtime.version(), Simd.describe(), WorkerPool.shared().threads());
            default -> {
                System.err.println("foley4j: unknown or not yet available command '" + cmd + "'");
                usage();
                System.exit(2);
            }
        }
    }

    private static void usage() {
        System.out.println("""
                usage: bin/foley <command>
                  env          show the JVM, the SIMD path and the thread count this machine gets
                  bench        quick kernel benchmark: SIMD vs scalar, GFLOP/s vs peak, ours vs ONNX Runtime
                  jmh ...      run the JMH benchmarks (JMH's own options)
                Not yet available: generate, convert, serve, info (see README status table).""");
    }
}
