package io.foley4j.pipeline.cli;

import io.foley4j.engine.WorkerPool;
import io.foley4j.kernels.Simd;
import io.foley4j.pipeline.foley.FoleyInputException;
import io.foley4j.pipeline.video.VideoException;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code bin/foley} command line. Exit codes: 0 done, 1 failed, 2 bad usage or bad input. */
@Command(name = "foley", mixinStandardHelpOptions = true, version = "Foley4J 0.1.0",
        description = "Video + short description -> synchronized 48 kHz Foley sound, in pure Java.",
        subcommands = {GenerateCommand.class, DemoCommand.class, ConvertCommand.class, InfoCommand.class,
                ServeCommand.class, SampleClipCommand.class, EvaluateCommand.class, Main.Env.class,
                CommandLine.HelpCommand.class},
        footer = {"", "bin/foley also runs: bench (the side-by-side benchmark), jmh (JMH benchmarks)."})
public final class Main implements Callable<Integer> {
    public static void main(String[] args) {
        System.exit(run(args));
    }

    public static int run(String... args) {
        CommandLine cl = new CommandLine(new Main());
        cl.setExecutionExceptionHandler((e, cmd, parsed) -> {
            cmd.getErr().println("foley: " + message(e));
            if (Boolean.getBoolean("foley4j.trace")) e.printStackTrace(cmd.getErr());
            return isInputError(e) ? 2 : 1;
        });
        return cl.execute(args);
    }

    static boolean isInputError(Throwable e) {
        return e instanceof FoleyInputException || e instanceof VideoException || e instanceof IllegalArgumentException
                || e instanceof java.nio.file.NoSuchFileException;
    }

    static String message(Throwable e) {
        if (e instanceof java.nio.file.NoSuchFileException n) return "no such file: " + n.getFile();
        String m = e.getMessage();
        return m == null ? e.toString() : m;
    }

    @Override
    public Integer call() {
        new CommandLine(this).usage(System.out);
        return 0;
    }

    @Command(name = "env", description = "Show the JVM, the SIMD path and the thread count this machine gets.")
    static final class Env implements Callable<Integer> {
        @Override
        public Integer call() {
            System.out.printf("Java %s, %s, %d threads (foley4j.threads)%n",
                    Runtime.version(), Simd.describe(), WorkerPool.shared().threads());
            return 0;
        }
    }
}
