package io.foley4j.models.vit;

import io.foley4j.engine.DType;
import io.foley4j.engine.LinearOps;
import io.foley4j.engine.Tensor;
import io.foley4j.engine.WorkerPool;
import io.foley4j.kernels.Quant;
import java.lang.foreign.Arena;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Static INT8 post-training quantization of a ViT: every linear layer (patch embedding, q/k/v/out, MLP, projection,
 * SigLIP head) gets INT8 weights with one scale per output row, and a fixed input scale = max |input| / 127 measured
 * over a calibration set of frames. At run time the inputs are quantized with that scale (clamped) and multiplied in
 * INT8 (INT32 accumulation). LayerNorms, attention, position table and biases stay F32.
 * <pre>
 *   Map&lt;String, Float&gt; ranges = VitQuantizer.calibrate(new Vit(fp32), calibrationFrames, 8, pool);
 *   VitQuantizer.quantize(fp32, ranges, arena).write(path, "static int8");
 * </pre>
 */
public final class VitQuantizer {
    private VitQuantizer() {}

    /** Max |input| of every linear layer (by name) over {@code frames} F32 [N, C, H, W], run in batches. */
    public static Map<String, Float> calibrate(Vit model, Tensor frames, int batch, WorkerPool pool) {
        if (frames.rank() != 4 || frames.dim(0) < 1) {
            throw new IllegalArgumentException("VitQuantizer.calibrate: frames must be F32 [N >= 1, C, H, W], got "
                    + frames);
        }
        Map<String, float[]> observed = new LinkedHashMap<>();
        try (VitState s = model.newState(Math.min(batch, frames.dim(0)), frames.dim(2), frames.dim(3), pool)) {
            s.observed = observed;
            for (int i = 0; i < frames.dim(0); i += s.maxBatch) {
                model.forward(s, frames.slice(i, Math.min(frames.dim(0), i + s.maxBatch)), pool);
            }
        }
        Map<String, Float> ranges = new LinkedHashMap<>();
        observed.forEach((name, max) -> ranges.put(name, max[0]));
        return ranges;
    }

    /**
     * F32 weights (not packed) to static INT8: I8_ROW linear weights (memory from {@code arena}) with input scales
     * from {@code ranges}; every linear layer needs a positive range.
     */
    public static VitWeights quantize(VitWeights fp32, Map<String, Float> ranges, Arena arena) {
        return fp32.mapLinears(l -> {
            Float r = ranges.get(l.name());
            if (r == null || !(r > 0) || r.isInfinite()) {
                throw new IllegalArgumentException("VitQuantizer.quantize: no positive calibrated range for "
                        + l.name() + " (got " + r + "); calibrate on frames that reach every layer");
            }
            if (l.weight().dtype() != DType.F32) {
                throw new IllegalArgumentException("VitQuantizer.quantize: " + l.name() + " weight " + l.weight()
                        + " must be row-major F32 (quantize before pack())");
            }
            Tensor q = LinearOps.quantize(arena, l.weight(), DType.I8_ROW);
            return new VitWeights.Linear(l.name(), q, l.bias(), r / Quant.Q8_MAX);
        });
    }
}
