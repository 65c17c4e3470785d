package io.foley4j.bench;

import io.foley4j.engine.Tensor;
import io.foley4j.engine.WorkerPool;
import io.foley4j.loader.SafetensorsFile;
import io.foley4j.models.vit.Vit;
import io.foley4j.models.vit.VitConfig;
import io.foley4j.models.vit.VitState;
import io.foley4j.models.vit.VitWeights;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * The child JVM of {@link VitBench}: times one implementation alone in its process, so its peak RSS is its own.
 * Arguments: {@code IMPL MODEL FILE THREADS BATCHES WARMUP_S REP_S REPS BEST}, IMPL one of {@link Impl}, MODEL a
 * {@link VitBench.Model} tag, FILE the engine file (ours) or the ONNX file (ORT), THREADS and BATCHES comma lists.
 * Prints one {@code RATE threads batch images/s} line per measurement, then {@code RSS peak_kib start_kib}: the
 * process's peak resident set (VmHWM: JVM, heap, native memory and touched pages of mapped files) and its resident
 * set before loading the model (the bare JVM).
 */
public final class VitChild {
    private VitChild() {}

    enum Impl { FP32, INT8, ORT }

    public static void main(String[] args) throws Exception {
        long startKib = statusKib("VmRSS");
        Impl impl = Impl.valueOf(args[0]);
        VitBench.Model model = VitBench.Model.of(args[1]);
        Path file = Path.of(args[2]);
        int[] threads = ints(args[3]), batches = ints(args[4]);
        Timing t = new Timing(Double.parseDouble(args[5]), Double.parseDouble(args[6]), Integer.parseInt(args[7]));
        boolean best = Boolean.parseBoolean(args[8]);
        int maxBatch = Arrays.stream(batches).max().orElseThrow();
        float[] pixels = VitBench.heldOutPixels(maxBatch);
        VitConfig c = model.config();
        if (impl == Impl.ORT) {
            for (int th : threads) {
                try (OrtVit ort = new OrtVit(file, c, th)) {
                    for (int b : batches) {
                        try (OrtVit.Batch run = ort.bind(pixels, b)) {
                            report(th, b, t.time(run::run), best);
                        }
                    }
                }
            }
        } else {
            try (SafetensorsFile f = SafetensorsFile.open(file); Arena arena = Arena.ofShared()) {
                Vit vit = new Vit(VitWeights.load(f, arena, true));
                int s = c.imageSize();
                Tensor px = Tensor.ofFloats(arena, pixels, maxBatch, 3, s, s);
                for (int th : threads) {
                    try (WorkerPool pool = new WorkerPool(th); VitState st = vit.newState(maxBatch, pool)) {
                        for (int b : batches) {
                            Tensor x = px.slice(0, b);
                            report(th, b, t.time(() -> vit.forward(st, x, pool)), best);
                        }
                    }
                }
            }
        }
        System.out.println("RSS " + statusKib("VmHWM") + " " + startKib);
    }

    private static void report(int threads, int batch, Timing.Result r, boolean best) {
        System.out.println("RATE " + threads + " " + batch + " " + batch / (best ? r.best() : r.median()));
        System.out.flush();
    }

    private static int[] ints(String csv) {
        return Arrays.stream(csv.split(",")).mapToInt(Integer::parseInt).toArray();
    }

    /** A {@code /proc/self/status} field in KiB (Linux), or -1 elsewhere. */
    static long statusKib(String field) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith(field + ":")) {
                    return Long.parseLong(line.substring(field.length() + 1).trim().split("\\s+")[0]);
                }
            }
        } catch (IOException | NumberFormatException e) {
            // not Linux: no RSS
        }
        return -1;
    }
}
