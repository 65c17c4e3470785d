package io.foley4j.pipeline.video;

/**
 * YCbCr to RGB coefficients and range, from the H.264 VUI (matrix_coefficients, video_full_range_flag). Without
 * colour information ffmpeg's swscale assumes BT.601 limited range, and so do we.
 *
 * <p>R = Y' + crV*V', G = Y' - cgU*U' - cgV*V', B = Y' + cbU*U' with Y' = (Y - 16) * 255/219, U' = (U - 128) *
 * 255/224 for limited range, Y' = Y, U' = U - 128 for full range.
 */
public record ColorMatrix(String name, boolean fullRange, double kr, double kb) {
    public static final ColorMatrix BT601 = new ColorMatrix("BT.601", false, 0.299, 0.114);
    public static final ColorMatrix BT601_FULL = new ColorMatrix("BT.601 full range", true, 0.299, 0.114);
    public static final ColorMatrix BT709 = new ColorMatrix("BT.709", false, 0.2126, 0.0722);
    public static final ColorMatrix BT709_FULL = new ColorMatrix("BT.709 full range", true, 0.2126, 0.0722);

    /** From H.264 VUI matrix_coefficients (1 = BT.709; 5, 6 = BT.601; 2 = unspecified -> BT.601). */
    public static ColorMatrix fromVui(int matrixCoefficients, boolean fullRange) {
        boolean bt709 = matrixCoefficients == 1;
        if (bt709) {
            return fullRange ? BT709_FULL : BT709;
        }
        return fullRange ? BT601_FULL : BT601;
    }

    double yScale() {
        return fullRange ? 1.0 : 255.0 / 219.0;
    }

    double cScale() {
        return fullRange ? 1.0 : 255.0 / 224.0;
    }

    double crV() {
        return 2 * (1 - kr) * cScale();
    }

    double cbU() {
        return 2 * (1 - kb) * cScale();
    }

    double cgU() {
        return 2 * (1 - kb) * kb / (1 - kr - kb) * cScale();
    }

    double cgV() {
        return 2 * (1 - kr) * kr / (1 - kr - kb) * cScale();
    }
}
