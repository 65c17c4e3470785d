package io.foley4j.pipeline.audio;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.foley4j.kernels.Diff;
import org.junit.jupiter.api.Test;

/**
 * ONNX conformance cases copied from Debian's libonnx-testdata 1.12 (data/node/test_* /test_data_set_0: inputs and
 * expected outputs as TensorProto). ONNX compares these with rtol 1e-3, atol 1e-7; its window references are off by
 * up to ~3e-5 from the exact cosines, so windows are checked at max abs 1e-4, STFT at max rel (floor 1) 1e-4.
 */
class OnnxConformanceTest {

    private static Ref.Proto pb(String test, String file) {
        return Ref.tensorProto("onnx/" + test + "/" + file + ".pb");
    }

    private static void window(String test, float[] actual) {
        Ref.Proto out = pb(test, "output_0");
        Diff d = Diff.of(actual, Ref.floats(out.values()), 1.0);
        assertTrue(d.maxAbs() <= 1e-4, test + ": " + d);
    }

    private static int size(String test) {
        return (int) pb(test, "input_0").values()[0];
    }

    @Test
    void windows() {
        window("test_hannwindow", Windows.hann(size("test_hannwindow"), true));
        window("test_hannwindow_symmetric", Windows.hann(size("test_hannwindow_symmetric"), false));
        window("test_hammingwindow", Windows.hamming(size("test_hammingwindow"), true,
                Windows.ONNX_HAMMING_ALPHA, Windows.ONNX_HAMMING_BETA));
        window("test_hammingwindow_symmetric", Windows.hamming(size("test_hammingwindow_symmetric"), false,
                Windows.ONNX_HAMMING_ALPHA, Windows.ONNX_HAMMING_BETA));
        window("test_blackmanwindow", Windows.blackman(size("test_blackmanwindow"), true));
        window("test_blackmanwindow_symmetric", Windows.blackman(size("test_blackmanwindow_symmetric"), false));
    }

    /** ONNX STFT: signal [1, 128, 1], frame_step, window or frame_length; no padding; output [1, frames, bins, 2]. */
    private static void stft(String test, float[] window) {
        float[] signal = Ref.floats(pb(test, "input_0").values());
        int step = (int) pb(test, "input_1").values()[0];
        StftConfig cfg = new StftConfig(window.length, step, window, false, StftConfig.PadMode.CONSTANT, true, false);
        Ref.Proto out = pb(test, "output_0");
        assertArrayEquals(new long[] {1, cfg.frames(signal.length), cfg.bins(), 2}, out.dims(), test + " shape");
        Diff d = Diff.of(new Stft(cfg).forward(signal), Ref.floats(out.values()), 1.0);
        assertTrue(d.maxRel() <= 1e-4, test + ": " + d);
    }

    @Test
    void stftWithoutWindow() { // inputs: signal, frame_step, frame_length (the window input is left empty)
        stft("test_stft", Windows.rectangular((int) pb("test_stft", "input_2").values()[0]));
    }

    @Test
    void stftWithWindow() {
        stft("test_stft_with_window", Ref.floats(pb("test_stft_with_window", "input_2").values()));
    }

    @Test
    void melWeightMatrix() {
        String t = "test_melweightmatrix";
        float[] m = Mel.onnxMelWeightMatrix((int) pb(t, "input_0").values()[0], (int) pb(t, "input_1").values()[0],
                (int) pb(t, "input_2").values()[0], pb(t, "input_3").values()[0], pb(t, "input_4").values()[0]);
        Ref.Proto out = pb(t, "output_0");
        Diff d = Diff.of(m, Ref.floats(out.values()), 1.0);
        assertTrue(d.maxAbs() == 0, t + ": " + d);
    }
}
