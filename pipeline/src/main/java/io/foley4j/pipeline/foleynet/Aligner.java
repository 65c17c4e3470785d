package io.foley4j.pipeline.foleynet;

import io.foley4j.engine.DType;
import io.foley4j.engine.LinearOps;
import io.foley4j.engine.RnnOps;
import io.foley4j.engine.Tensor;
import io.foley4j.engine.WorkerPool;
import io.foley4j.loader.SafetensorsFile;
import io.foley4j.loader.WeightTable;
import io.foley4j.loader.WeightsFormatException;
import java.lang.foreign.Arena;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The temporal aligner: per-video-frame features [F, inputDim] through an LSTM (PyTorch names {@code lstm.*},
 * batch_first, one layer, optionally bidirectional) and a linear projection {@code proj} to [F, outputDim], then
 * linearly interpolated in time to the decoder's frame rate. LSTM weights are F16 in the mixed mode.
 */
public final class Aligner {
    private final FoleyNetConfig.Aligner cfg;
    private final RnnOps.LstmStack lstm;
    private final Tensor projW, projB;

    private Aligner(FoleyNetConfig.Aligner cfg, RnnOps.LstmStack lstm, Tensor projW, Tensor projB) {
        this.cfg = cfg;
        this.lstm = lstm;
        this.projW = projW;
        this.projB = projB;
    }

    public static WeightTable table(FoleyNetConfig.Aligner a) {
        WeightTable t = new WeightTable();
        int h = a.hidden();
        for (String sfx : a.bidirectional() ? new String[] {"", "_reverse"} : new String[] {""}) {
            t.expect("lstm.weight_ih_l0" + sfx, WeightTable.FLOAT, 4 * h, a.inputDim())
                    .expect("lstm.weight_hh_l0" + sfx, WeightTable.FLOAT, 4 * h, h)
                    .expect("lstm.bias_ih_l0" + sfx, WeightTable.FLOAT, 4 * h)
                    .expect("lstm.bias_hh_l0" + sfx, WeightTable.FLOAT, 4 * h);
        }
        int dirs = a.bidirectional() ? 2 : 1;
        t.expect("proj.weight", WeightTable.FLOAT, a.outputDim(), dirs * h).expect("proj.bias", WeightTable.FLOAT, a.outputDim());
        return t;
    }

    /** Binds the aligner's file (every missing or mis-shaped tensor named) with LSTM weights in {@code lstmType}. */
    public static Aligner load(SafetensorsFile file, FoleyNetConfig.Aligner a, DType lstmType, Arena arena)
            throws WeightsFormatException {
        WeightTable t = table(a);
        t.bind(file);
        Map<String, Tensor> f32 = new LinkedHashMap<>();
        for (String name : t.expected().keySet()) f32.put(name, file.toF32(name, arena));
        List<RnnOps.LstmWeights> cells = new ArrayList<>();
        for (String sfx : a.bidirectional() ? new String[] {"", "_reverse"} : new String[] {""}) {
            cells.add(new RnnOps.LstmWeights(as(f32.get("lstm.weight_ih_l0" + sfx), lstmType, arena),
                    as(f32.get("lstm.weight_hh_l0" + sfx), lstmType, arena), f32.get("lstm.bias_ih_l0" + sfx),
                    f32.get("lstm.bias_hh_l0" + sfx)));
        }
        RnnOps.RnnShape shape = new RnnOps.RnnShape(a.inputDim(), a.hidden(), 1, a.bidirectional(), RnnOps.Layout.BATCH_FIRST);
        return new Aligner(a, new RnnOps.LstmStack(shape, cells), f32.get("proj.weight"), f32.get("proj.bias"));
    }

    private static Tensor as(Tensor w, DType type, Arena arena) {
        return type == DType.F32 ? w : LinearOps.quantize(arena, w, type);
    }

    /**
     * features [frames * inputDim] sampled at {@code fps} (frame k at k / fps) -> conditioning [melFrames * outputDim]
     * at {@code melRate} (mel frame j at j / melRate), interpolated linearly and held at the ends.
     */
    public float[] forward(float[] features, int frames, double fps, int melFrames, double melRate, WorkerPool pool) {
        if (frames < 1 || features.length != frames * cfg.inputDim()) {
            throw new IllegalArgumentException("Aligner: features must be [frames >= 1, " + cfg.inputDim() + "], got "
                    + features.length + " values for " + frames + " frames");
        }
        int dirs = cfg.bidirectional() ? 2 : 1, h = cfg.hidden(), outDim = cfg.outputDim();
        float[] perFrame;
        try (Arena arena = Arena.ofShared()) {
            Tensor x = Tensor.ofFloats(arena, features, 1, frames, cfg.inputDim());
            Tensor y = Tensor.allocate(arena, DType.F32, 1, frames, dirs * h);
            RnnOps.RnnState st = RnnOps.RnnState.zeros(arena, lstm.shape(), 1, true);
            RnnOps.RnnScratch scratch = RnnOps.RnnScratch.allocate(arena, lstm.shape(), 1, frames);
            RnnOps.lstm(pool, lstm, x, st, y, null, scratch);
            Tensor p = Tensor.allocate(arena, DType.F32, frames, outDim);
            LinearOps.linear(pool, y.view(frames, dirs * h), projW, projB, p);
            perFrame = p.toFloats();
        }
        return interpolate(perFrame, frames, outDim, fps, melFrames, melRate);
    }

    /** Linear interpolation of rows sampled at k / fps onto j / rate, held constant outside [0, (frames-1) / fps]. */
    static float[] interpolate(float[] rows, int frames, int dim, double fps, int outFrames, double rate) {
        float[] out = new float[outFrames * dim];
        for (int j = 0; j < outFrames; j++) {
            double pos = j / rate * fps;
            int k0 = (int) Math.floor(pos);
            double a = pos - k0;
            if (k0 >= frames - 1) {
                k0 = frames - 1;
                a = 0;
            }
            int k1 = Math.min(frames - 1, k0 + 1);
            for (int i = 0; i < dim; i++) {
                out[j * dim + i] = (float) ((1 - a) * rows[k0 * dim + i] + a * rows[k1 * dim + i]);
            }
        }
        return out;
    }
}
