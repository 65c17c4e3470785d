package io.foley4j.pipeline.video;

import org.jcodec.common.model.Picture;

/**
 * 8-bit YUV 4:2:0 to RGB24 as ffmpeg's swscale does for yuv420p -> rgb24 without scaling: each chroma sample
 * covers its 2x2 luma block (no chroma interpolation), coefficients from a {@link ColorMatrix}, rounded to
 * nearest and clamped. JCodec stores samples as signed bytes holding {@code value - 128}.
 */
public final class Yuv420 {
    private static final int SHIFT = 16;
    private static final int HALF = 1 << (SHIFT - 1);

    // Per-matrix tables in 16.16 fixed point, indexed by the unsigned sample value.
    private final int[] y = new int[256];
    private final int[] rv = new int[256];
    private final int[] gu = new int[256];
    private final int[] gv = new int[256];
    private final int[] bu = new int[256];

    public Yuv420(ColorMatrix m) {
        double yOff = m.fullRange() ? 0 : 16;
        for (int v = 0; v < 256; v++) {
            y[v] = (int) Math.round((v - yOff) * m.yScale() * (1 << SHIFT)) + HALF;
            rv[v] = (int) Math.round((v - 128) * m.crV() * (1 << SHIFT));
            gu[v] = (int) Math.round((v - 128) * m.cgU() * (1 << SHIFT));
            gv[v] = (int) Math.round((v - 128) * m.cgV() * (1 << SHIFT));
            bu[v] = (int) Math.round((v - 128) * m.cbU() * (1 << SHIFT));
        }
    }

    /** Converts the displayed (cropped) area of {@code pic} into {@code out}, which must have the cropped size. */
    public void toRgb(Picture pic, RgbImage out) {
        int x0 = pic.getCrop() == null ? 0 : pic.getCrop().getX();
        int y0 = pic.getCrop() == null ? 0 : pic.getCrop().getY();
        int w = out.width(), h = out.height();
        if (x0 + w > pic.getWidth() || y0 + h > pic.getHeight() || (x0 & 1) != 0 || (y0 & 1) != 0) {
            throw new IllegalArgumentException("Yuv420.toRgb: picture " + pic.getWidth() + "x" + pic.getHeight()
                    + " crop at " + x0 + "," + y0 + " cannot fill " + w + "x" + h);
        }
        byte[] py = pic.getPlaneData(0), pu = pic.getPlaneData(1), pv = pic.getPlaneData(2);
        int stride = pic.getPlaneWidth(0), cstride = pic.getPlaneWidth(1);
        byte[] rgb = out.data();
        for (int r = 0; r < h; r++) {
            int yRow = (r + y0) * stride + x0;
            int cRow = ((r + y0) >> 1) * cstride + (x0 >> 1);
            int o = r * w * 3;
            for (int c = 0; c < w; c++) {
                int yy = y[py[yRow + c] + 128];
                int u = pu[cRow + (c >> 1)] + 128, v = pv[cRow + (c >> 1)] + 128;
                rgb[o++] = clamp(yy + rv[v]);
                rgb[o++] = clamp(yy - gu[u] - gv[v]);
                rgb[o++] = clamp(yy + bu[u]);
            }
        }
    }

    private static byte clamp(int fixed) {
        int v = fixed >> SHIFT;
        return (byte) (v < 0 ? 0 : Math.min(v, 255));
    }
}
