package io.foley4j.models.vit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.foley4j.engine.Tensor;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.net.URISyntaxException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;

/** The committed reference data of vit/ (made by make_reference.py) and frame helpers. */
final class VitData {
    private VitData() {}

    static final float[] MEAN = {0.48145466f, 0.4578275f, 0.40821073f};
    static final float[] STD = {0.26862954f, 0.26130258f, 0.27577711f};
    static final List<String> CALIBRATION = List.of("calib_0.jpg", "calib_1.jpg", "calib_2.jpg", "calib_3.jpg",
            "calib_4.jpg", "calib_5.jpg", "calib_6.jpg", "calib_7.jpg");
    static final List<String> HELD_OUT = List.of("heldout_0.jpg", "heldout_1.jpg", "heldout_2.jpg", "heldout_3.jpg",
            "heldout_4.jpg", "heldout_5.jpg");

    static byte[] bytes(String name) {
        try (InputStream in = VitData.class.getResourceAsStream("/vit/" + name)) {
            if (in == null) throw new IllegalStateException("/vit/" + name + " is missing (run make_reference.py)");
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Path path(String name) {
        try {
            return Path.of(VitData.class.getResource("/vit/" + name).toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A reference output (little-endian float32). */
    static float[] f32(String name) {
        ByteBuffer b = ByteBuffer.wrap(bytes(name + ".f32")).order(ByteOrder.LITTLE_ENDIAN);
        float[] out = new float[b.remaining() / 4];
        b.asFloatBuffer().get(out);
        return out;
    }

    static int[] shape(String name) {
        try {
            JsonNode s = new ObjectMapper().readTree(bytes("reference.json")).get("shapes").get(name);
            int[] out = new int[s.size()];
            for (int i = 0; i < out.length; i++) out[i] = s.get(i).asInt();
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Decoded image as RGB bytes [H, W, 3]. */
    static byte[] rgb(String name, int[] sizeOut) {
        try {
            BufferedImage img = ImageIO.read(VitData.class.getResourceAsStream("/vit/" + name));
            int w = img.getWidth(), h = img.getHeight();
            byte[] out = new byte[h * w * 3];
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    int p = img.getRGB(x, y), o = (y * w + x) * 3;
                    out[o] = (byte) (p >> 16);
                    out[o + 1] = (byte) (p >> 8);
                    out[o + 2] = (byte) p;
                }
            }
            sizeOut[0] = h;
            sizeOut[1] = w;
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Box-filtered square downscale of RGB [s, s, 3] to [t, t, 3] (calibration frames for the tiny model). */
    static byte[] shrink(byte[] rgb, int s, int t) {
        byte[] out = new byte[t * t * 3];
        for (int y = 0; y < t; y++) {
            for (int x = 0; x < t; x++) {
                int y0 = y * s / t, y1 = (y + 1) * s / t, x0 = x * s / t, x1 = (x + 1) * s / t;
                for (int c = 0; c < 3; c++) {
                    int sum = 0;
                    for (int yy = y0; yy < y1; yy++) {
                        for (int xx = x0; xx < x1; xx++) sum += rgb[(yy * s + xx) * 3 + c] & 0xff;
                    }
                    out[(y * t + x) * 3 + c] = (byte) Math.round((float) sum / ((y1 - y0) * (x1 - x0)));
                }
            }
        }
        return out;
    }

    /** RGB bytes [B, H, W, 3] to normalized pixels [B, 3, H, W], (u8 / 255 - mean) / std in float like torch. */
    static Tensor pixels(Arena arena, byte[] rgb, int batch, int h, int w) {
        float[] out = new float[batch * 3 * h * w];
        for (int b = 0; b < batch; b++) {
            for (int c = 0; c < 3; c++) {
                for (int i = 0; i < h * w; i++) {
                    float v = (rgb[(b * h * w + i) * 3 + c] & 0xff) / 255f;
                    out[(b * 3 + c) * h * w + i] = (v - MEAN[c]) / STD[c];
                }
            }
        }
        return Tensor.ofFloats(arena, out, batch, 3, h, w);
    }

    /** Several images of one size as a batch of normalized pixels, optionally shrunk to {@code size}. */
    static Tensor frames(Arena arena, List<String> names, int size) {
        int[] hw = new int[2];
        byte[] all = new byte[names.size() * size * size * 3];
        for (int i = 0; i < names.size(); i++) {
            byte[] rgb = rgb(names.get(i), hw);
            byte[] f = hw[0] == size ? rgb : shrink(rgb, hw[0], size);
            System.arraycopy(f, 0, all, i * size * size * 3, f.length);
        }
        return pixels(arena, all, names.size(), size, size);
    }
}
