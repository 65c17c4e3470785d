package io.foley4j.models.bert;

import io.foley4j.engine.DType;
import io.foley4j.engine.Tensor;
import io.foley4j.kernels.Mem;
import java.lang.foreign.MemorySegment;

/** Sentence embeddings from {@code last_hidden_state}: masked mean or [CLS] pooling, optional L2 normalization. */
public final class BertPooling {
    private BertPooling() {}

    public enum Pooling {
        /** Mean of the hidden states of unmasked tokens (sentence-transformers, all-MiniLM). */
        MEAN,
        /** Hidden state of the first token, [CLS] (BGE). */
        CLS
    }

    /**
     * out[b] = pooled hidden[b]: hidden F32 [B, S, H], attentionMask [B * S] (1 keeps a token), out F32 [B, H].
     * MEAN divides by max(count, 1e-9) like sentence-transformers, so an all-padding row gives zeros.
     */
    public static void pool(Pooling p, Tensor hidden, int[] attentionMask, Tensor out) {
        if (hidden.dtype() != DType.F32 || out.dtype() != DType.F32 || hidden.rank() != 3 || out.rank() != 2
                || out.dim(0) != hidden.dim(0) || out.dim(1) != hidden.dim(2)
                || attentionMask.length != hidden.dim(0) * hidden.dim(1)) {
            throw new IllegalArgumentException("BertPooling.pool: hidden " + hidden + " must be F32 [B, S, H], out "
                    + out + " F32 [B, H] and attentionMask of B * S, got " + attentionMask.length);
        }
        int batch = hidden.dim(0), seq = hidden.dim(1), h = hidden.dim(2);
        MemorySegment x = hidden.data(), y = out.data();
        for (int b = 0; b < batch; b++) {
            long dst = (long) b * h;
            if (p == Pooling.CLS) {
                MemorySegment.copy(x, (long) b * seq * h * 4, y, dst * 4, h * 4L);
                continue;
            }
            int count = 0;
            for (int i = 0; i < h; i++) Mem.setF32(y, dst + i, 0f);
            for (int t = 0; t < seq; t++) {
                if (attentionMask[b * seq + t] == 0) continue;
                count++;
                long src = ((long) b * seq + t) * h;
                for (int i = 0; i < h; i++) Mem.setF32(y, dst + i, Mem.getF32(y, dst + i) + Mem.getF32(x, src + i));
            }
            float inv = (float) (1 / Math.max(count, 1e-9));
            for (int i = 0; i < h; i++) Mem.setF32(y, dst + i, Mem.getF32(y, dst + i) * inv);
        }
    }

    /** x[r] /= max(||x[r]||_2, 1e-12) for each row of x F32 [rows, dim] (torch.nn.functional.normalize). */
    public static void l2Normalize(Tensor x) {
        if (x.dtype() != DType.F32 || x.rank() < 1) {
            throw new IllegalArgumentException("BertPooling.l2Normalize: x " + x + " must be F32 [rows, dim]");
        }
        int dim = x.dim(-1);
        long rows = dim == 0 ? 0 : x.numel() / dim;
        MemorySegment s = x.data();
        for (long r = 0; r < rows; r++) {
            double norm = 0;
            for (int i = 0; i < dim; i++) {
                float v = Mem.getF32(s, r * dim + i);
                norm += v * v;
            }
            float inv = (float) (1 / Math.max(Math.sqrt(norm), 1e-12));
            for (int i = 0; i < dim; i++) Mem.setF32(s, r * dim + i, Mem.getF32(s, r * dim + i) * inv);
        }
    }

    /** Cosine similarity of two vectors (double accumulation). */
    public static double cosine(float[] a, float[] b) {
        if (a.length != b.length) {
            throw new IllegalArgumentException("BertPooling.cosine: lengths " + a.length + " and " + b.length + " differ");
        }
        double dot = 0, na = 0, nb = 0;
        for (int i = 0; i < a.length; i++) {
            dot += (double) a[i] * b[i];
            na += (double) a[i] * a[i];
            nb += (double) b[i] * b[i];
        }
        return dot / Math.max(Math.sqrt(na * nb), 1e-30);
    }
}
