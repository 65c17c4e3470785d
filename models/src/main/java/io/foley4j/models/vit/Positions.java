package io.foley4j.models.vit;

/**
 * Learned position tables for another resolution, as Hugging Face's {@code interpolate_pos_encoding}: the patch part
 * [g*g, D] is resized to [gh, gw] with {@code torch.nn.functional.interpolate(mode="bicubic",
 * align_corners=False)} (Keys cubic, a = -0.75, source index (o + 0.5) * in/out - 0.5, edge taps clamped, no
 * antialiasing); the class-token row is kept.
 */
final class Positions {
    private Positions() {}

    private static final float A = -0.75f;

    /** [tokens, D] rows for a gh x gw patch grid; a copy of the table when the grid is the training one. */
    static float[] forGrid(VitWeights w, int gh, int gw) {
        VitConfig c = w.config();
        float[] table = w.posEmbed().toFloats(); // [positions, D]
        int d = c.hidden(), g = c.grid(), cls = c.classToken() ? 1 : 0;
        if (gh == g && gw == g) {
            return table;
        }
        float[] out = new float[(cls + gh * gw) * d];
        System.arraycopy(table, 0, out, 0, cls * d);
        float[] wy = new float[4], wx = new float[4];
        int[] iy = new int[4], ix = new int[4];
        for (int oy = 0; oy < gh; oy++) {
            taps(g, gh, oy, iy, wy);
            for (int ox = 0; ox < gw; ox++) {
                taps(g, gw, ox, ix, wx);
                int o = (cls + oy * gw + ox) * d;
                for (int ch = 0; ch < d; ch++) {
                    double sum = 0;
                    for (int i = 0; i < 4; i++) {
                        double row = 0;
                        for (int j = 0; j < 4; j++) {
                            row += wx[j] * table[(cls + iy[i] * g + ix[j]) * d + ch];
                        }
                        sum += wy[i] * row;
                    }
                    out[o + ch] = (float) sum;
                }
            }
        }
        return out;
    }

    /** The 4 source indices (clamped) and weights of output index {@code o} when resizing {@code in} to {@code out}. */
    static void taps(int in, int out, int o, int[] idx, float[] weight) {
        float scale = (float) in / out; // float like torch's area_pixel_compute_scale for float tensors
        float src = scale * (o + 0.5f) - 0.5f;
        int i0 = (int) Math.floor(src);
        float t = src - i0;
        weight[0] = far(t + 1);
        weight[1] = near(t);
        weight[2] = near(1 - t);
        weight[3] = far(2 - t);
        for (int i = 0; i < 4; i++) {
            idx[i] = Math.min(Math.max(i0 - 1 + i, 0), in - 1);
        }
    }

    // Keys' cubic convolution: |x| <= 1 and 1 < |x| < 2
    private static float near(float x) {
        return ((A + 2) * x - (A + 3)) * x * x + 1;
    }

    private static float far(float x) {
        return ((A * x - 5 * A) * x + 8 * A) * x - 4 * A;
    }
}
