package io.foley4j.bench;

import java.util.SplittableRandom;

/** Deterministic benchmark inputs and the plain references that parity checks compare against. */
final class Data {
    private Data() {}

    static float[] floats(long seed, int n, float scale) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) ((r.nextDouble() * 2 - 1) * scale);
        }
        return a;
    }

    /** Symmetric int8 quantization with one scale per row: w[r][c] ~ q[r][c] * scale[r], scale = max|w| / 127. */
    record Q8(byte[] q, float[] scales) {}

    static Q8 quantizeRows(float[] w, int rows, int cols) {
        byte[] q = new byte[rows * cols];
        float[] s = new float[rows];
        for (int r = 0; r < rows; r++) {
            float max = 0;
            for (int c = 0; c < cols; c++) {
                max = Math.max(max, Math.abs(w[r * cols + c]));
            }
            s[r] = max == 0 ? 1 : max / 127f;
            float inv = 1 / s[r];
            for (int c = 0; c < cols; c++) {
                q[r * cols + c] = (byte) Math.max(-127, Math.min(127, Math.round(w[r * cols + c] * inv)));
            }
        }
        return new Q8(q, s);
    }

    static float[] dequantizeRows(Q8 q, int rows, int cols) {
        float[] w = new float[rows * cols];
        for (int i = 0; i < w.length; i++) {
            w[i] = q.q()[i] * q.scales()[i / cols];
        }
        return w;
    }

    /** Y[M,N] = A[M,K] x W[N,K]^T with double accumulation. */
    static float[] gemmReference(float[] a, float[] w, int m, int k, int n) {
        float[] y = new float[m * n];
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                double acc = 0;
                for (int p = 0; p < k; p++) {
                    acc += (double) a[i * k + p] * w[j * k + p];
                }
                y[i * n + j] = (float) acc;
            }
        }
        return y;
    }
}
