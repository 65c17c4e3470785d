package io.foley4j.bench;

import io.foley4j.kernels.JitFlags;
import io.foley4j.kernels.Matmul;
import io.foley4j.kernels.Simd;
import java.lang.foreign.Arena;
import java.net.InetAddress;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The one quick benchmark command ({@code bin/foley bench}): everything measured in one run on this machine.
 * <ol>
 *   <li>{@code peak}: the FP32 peak, every term measured ({@link Peak});</li>
 *   <li>{@code simd}: per kernel, the Vector API version vs its scalar reference on one thread;</li>
 *   <li>{@code gemm}: FP32 GEMM GFLOP/s on 1 and all threads as a share of the peak;</li>
 *   <li>{@code ort}: the listed GEMM shapes, ours vs ONNX Runtime (F32 and INT8, 1 and all threads), after a
 *       parity check of the two results;</li>
 *   <li>{@code matvec}: 4096x4096 matrix-vector with INT8 weights vs F32 weights;</li>
 *   <li>{@code lstm}: LSTM time steps/s by weight dtype and Silero VAD chunks/s vs ONNX Runtime ({@link LstmBench}).</li>
 * </ol>
 * Options: {@code --quick} (shorter warm-up and fewer repetitions), {@code --threads N} ("all threads"; default:
 * available processors), {@code --only a,b} (section names above, or kernel families for {@code simd}:
 * {@value #FAMILY_LIST}; {@code matmul} also selects gemm, ort and matvec), {@code --out FILE} (markdown copy),
 * {@code --best} (report the best repetition instead of the median). Each row checking an issue-2 target ends
 * with MET or MISSED; a tally closes the run.
 */
public final class QuickBench {
    private QuickBench() {}

    static final String FAMILY_LIST = "elementwise,matmul,norm,activation,softmax,attention,conv,rnn";
    static final List<String> SECTIONS = List.of("peak", "simd", "gemm", "ort", "matvec", "lstm");
    /** Model-level sections (minutes each, some write large files under .cache/bench): only when named or --all. */
    static final List<String> MODEL_SECTIONS = List.of("bert", "vit", "decode", "dit", "foley");

    record Options(boolean quick, int threads, Set<String> only, Path out, boolean best, boolean all) {
        Timing timing() {
            return quick ? Timing.quick() : Timing.standard();
        }

        boolean section(String s) {
            if (MODEL_SECTIONS.contains(s)) {
                return all || only.contains(s);
            }
            if (only.isEmpty() || only.contains(s)) {
                return true;
            }
            return switch (s) {
                case "simd" -> only.stream().anyMatch(SimdCases.FAMILIES::contains);
                case "gemm", "ort", "matvec" -> only.contains("matmul");
                default -> false;
            };
        }

        boolean family(String f) {
            return only.isEmpty() || only.contains("simd") || only.contains(f);
        }

        double seconds(Timing.Result r) {
            return best ? r.best() : r.median();
        }

        static Options parse(String[] args) {
            boolean quick = false, best = false, all = false;
            int threads = Runtime.getRuntime().availableProcessors();
            Set<String> only = new LinkedHashSet<>();
            Path out = null;
            for (int i = 0; i < args.length; i++) {
                switch (args[i]) {
                    case "--quick" -> quick = true;
                    case "--best" -> best = true;
                    case "--all" -> all = true;
                    case "--threads" -> threads = Integer.parseInt(value(args, ++i));
                    case "--out" -> out = Path.of(value(args, ++i));
                    case "--only" -> {
                        for (String s : value(args, ++i).split(",")) {
                            String t = s.trim().toLowerCase(java.util.Locale.ROOT);
                            if (!SECTIONS.contains(t) && !MODEL_SECTIONS.contains(t) && !SimdCases.FAMILIES.contains(t)) {
                                throw new IllegalArgumentException("--only " + t + ": expected one of "
                                        + SECTIONS + ", " + MODEL_SECTIONS + " or " + SimdCases.FAMILIES);
                            }
                            only.add(t);
                        }
                    }
                    case "-h", "--help" -> {
                        System.out.println("usage: bin/foley bench [--quick] [--threads N] [--only "
                                + String.join(",", SECTIONS) + "," + String.join(",", MODEL_SECTIONS) + ","
                                + FAMILY_LIST + "] [--all] [--out FILE.md] [--best]\n"
                                + "  without --only: the kernel sections; model sections (" + String.join(",", MODEL_SECTIONS)
                                + ") run when named or with --all");
                        System.exit(0);
                    }
                    default -> throw new IllegalArgumentException("unknown option " + args[i] + " (try --help)");
                }
            }
            if (threads < 1) {
                throw new IllegalArgumentException("--threads must be >= 1, got " + threads);
            }
            return new Options(quick, threads, only, out, best, all);
        }

        private static String value(String[] args, int i) {
            if (i >= args.length) {
                throw new IllegalArgumentException(args[i - 1] + " needs a value");
            }
            return args[i];
        }
    }

    public static void main(String[] args) throws Exception {
        Options o = Options.parse(args);
        Report report = new Report(System.out);
        String host = host();
        Timing t = o.timing();
        report.note(Report.f("Foley4J QuickBench on %s: %s, JDK %s, %s, GEMM tile %s, %s, %d threads; %s of %d"
                        + " repetitions (~%.0f ms each) after %.1f s warm-up per measurement",
                host, System.getProperty("os.arch"), Runtime.version(), Simd.describe(), Matmul.tile(),
                JitFlags.report(), o.threads(), o.best() ? "best" : "median", t.reps(), t.repSeconds() * 1e3,
                t.warmupSeconds()));
        long start = System.nanoTime();
        Peak peak = null;
        if (o.section("peak") || o.section("gemm")) {
            peak = Peak.measure(o.quick());
            report.text("Machine FP32 peak", peak.describe());
        }
        try (Arena arena = Arena.ofConfined()) {
            if (o.section("simd")) {
                simd(o, report, arena);
            }
        }
        if (o.section("gemm")) {
            GemmBench.vsPeak(o, report, peak);
        }
        if (o.section("ort")) {
            GemmBench.vsOrt(o, report);
        }
        if (o.section("matvec")) {
            GemmBench.matvec(o, report);
        }
        if (o.section("lstm")) {
            LstmBench.run(o, report);
        }
        if (o.section("bert")) {
            BertBench.run(o, report);
        }
        if (o.section("vit")) {
            VitBench.run(o, report);
        }
        if (o.section("decode")) {
            DecodeSideBySide.run(o, report);
        }
        if (o.section("dit")) {
            DenoiserBench.run(o, report);
        }
        if (o.section("foley")) {
            FoleyBench.run(o, report);
        }
        report.targetSummary();
        report.note(Report.f("total %.0f s", (System.nanoTime() - start) / 1e9));
        if (o.out() != null) {
            report.writeMarkdown(o.out(), "Foley4J QuickBench, " + host);
            System.out.println("wrote " + o.out());
        }
    }

    static final String SIMD_TARGET = "every SIMD kernel >= 4x its scalar reference at 512 bits";

    /** SIMD vs scalar on one thread; the target applies only when the kernels run at 512 bits. */
    static void simd(Options o, Report report, Arena arena) {
        boolean at512 = !Simd.SCALAR && Simd.BITS == 512;
        report.table("SIMD vs scalar, 1 thread, " + Simd.BITS + "-bit vectors (target >= 4x at 512 bits)",
                new int[] {-11, -22, -22, 15, 15, 8, 7}, "family", "op", "shape", "scalar", "vector", "speedup",
                "target");
        Timing t = o.timing();
        for (String family : SimdCases.FAMILIES) {
            if (!o.family(family)) {
                continue;
            }
            List<SimdCase> cases = SimdCases.family(family, arena);
            if (cases.isEmpty()) {
                report.row(SIMD_TARGET, null, family, "(not on main yet)", "", "", "", "");
                continue;
            }
            for (SimdCase c : cases) {
                Timing.Result[] r = t.timeSideBySide(0, c.scalar(), c.vector());
                double ts = o.seconds(r[0]), tv = o.seconds(r[1]);
                double speedup = ts / tv;
                report.row(SIMD_TARGET, at512 ? speedup >= 4 : null, c.family(), c.op(), c.shape(),
                        c.rate(ts), c.rate(tv), Report.f("%.1fx", speedup));
            }
        }
        report.endTable();
    }

    private static String host() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (java.io.IOException e) {
            return "unknown-host";
        }
    }
}
