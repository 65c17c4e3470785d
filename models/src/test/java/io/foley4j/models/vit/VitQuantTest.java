package io.foley4j.models.vit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.foley4j.engine.DType;
import io.foley4j.engine.Tensor;
import io.foley4j.engine.WorkerPool;
import io.foley4j.kernels.Diff;
import io.foley4j.loader.SafetensorsFile;
import java.lang.foreign.Arena;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Static INT8 on the tiny models: calibrated on 8 real frames (video and photos, box-shrunk to 40x40), written to an
 * engine file with the ranges in its metadata, reloaded, and compared with FP32 on 6 held-out frames.
 * Metric: cosine of the pooled embedding per frame, >= 0.99.
 */
class VitQuantTest {
    static final double MIN_COSINE = 0.99;
    /** Packed static INT8 vs the INT32 reference path, relative to the embedding's largest value. */
    static final double PACKED_TOL = 1e-4;
    static final WorkerPool POOL = new WorkerPool(2);

    @TempDir
    Path tmp;

    @AfterAll
    static void closePool() {
        POOL.close();
    }

    void roundTrip(String tag, VitConfig c) throws Exception {
        try (Arena arena = Arena.ofShared(); SafetensorsFile hf = SafetensorsFile.open(VitData.path(tag + ".safetensors"))) {
            VitWeights fp32 = HfVitConverter.convert(hf, c, arena);
            Vit ref = new Vit(fp32);
            Map<String, Float> ranges = VitQuantizer.calibrate(ref, VitData.frames(arena, VitData.CALIBRATION, 40), 3, POOL);
            assertEquals(fp32.linears().size(), ranges.size(), "a range for every linear layer: " + ranges.keySet());

            Path f32File = tmp.resolve(tag + ".f32.safetensors"), q8File = tmp.resolve(tag + ".int8.safetensors");
            fp32.write(f32File, "test");
            VitQuantizer.quantize(fp32, ranges, arena).write(q8File, "test static int8");
            double ratio = (double) Files.size(q8File) / Files.size(f32File);
            System.out.printf("%s: INT8 file %d bytes = %.1f%% of FP32 %d%n", tag, Files.size(q8File), 100 * ratio,
                    Files.size(f32File));
            assertTrue(ratio < 0.40, tag + " INT8 / FP32 file size " + ratio); // embeddings weigh more in a tiny model

            try (SafetensorsFile q8 = SafetensorsFile.open(q8File)) {
                JsonNode stored = new ObjectMapper().readTree(q8.metadata().get(VitWeights.ACTIVATION_SCALES_KEY));
                VitWeights w = VitWeights.load(q8, arena, true);
                for (VitWeights.Linear l : w.linears()) {
                    assertEquals(DType.I8_ROW_PACKED, l.weight().dtype(), l.name()); // packed at load
                    assertEquals(ranges.get(l.name()) / 127, l.inputScale(), 1e-6 * l.inputScale(), l.name());
                    assertEquals(l.inputScale(), stored.get(l.name()).floatValue(), 0f, l.name());
                }
                Vit int8 = new Vit(w);
                Tensor held = VitData.frames(arena, VitData.HELD_OUT, 40);
                int n = held.dim(0), d = c.outputDim();
                try (VitState a = ref.newState(n, POOL); VitState b = int8.newState(n, POOL)) {
                    ref.forward(a, held, POOL);
                    int8.forward(b, held, POOL);
                    float[] x = a.embedding().toFloats(), y = b.embedding().toFloats();
                    for (int i = 0; i < n; i++) {
                        Diff diff = Diff.of(Arrays.copyOfRange(y, i * d, (i + 1) * d), Arrays.copyOfRange(x, i * d, (i + 1) * d));
                        assertTrue(diff.cosine() >= MIN_COSINE, tag + " held-out frame " + i + ": " + diff);
                        // and INT8 is not FP32 in disguise
                        assertTrue(diff.maxAbs() > 0, tag + " frame " + i + " INT8 equals FP32 exactly");
                    }
                    // packed weights (F32 micro-kernel on dequantized activations) = unpacked INT32 path up to F32
                    // rounding of the sums
                    Vit unpacked = new Vit(VitWeights.load(q8, arena, false));
                    try (VitState u = unpacked.newState(n, POOL)) {
                        unpacked.forward(u, held, POOL);
                        float[] z = u.embedding().toFloats();
                        Diff same = Diff.of(y, z);
                        double peak = 0;
                        for (float v : z) peak = Math.max(peak, Math.abs(v));
                        assertTrue(same.maxAbs() <= PACKED_TOL * peak, tag + " packed vs INT32 static INT8: " + same);
                    }
                }
            }
        }
    }

    @Test
    void tinyClipStaticInt8() throws Exception {
        roundTrip("tiny_clip", VitConfig.tinyClip());
    }

    @Test
    void tinySiglipStaticInt8() throws Exception {
        roundTrip("tiny_siglip", VitConfig.tinySiglip());
    }
}
