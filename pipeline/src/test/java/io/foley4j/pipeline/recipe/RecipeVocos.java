package io.foley4j.pipeline.recipe;

import io.foley4j.engine.Tensor;
import io.foley4j.engine.WorkerPool;
import io.foley4j.kernels.Diff;
import io.foley4j.kernels.Fp16;
import io.foley4j.kernels.Mem;
import io.foley4j.loader.SafetensorsDType;
import io.foley4j.loader.SafetensorsFile;
import io.foley4j.loader.SafetensorsWriter;
import io.foley4j.models.vocoder.VocosWeights;
import io.foley4j.pipeline.foleynet.FoleyNetConfig;
import io.foley4j.pipeline.sounds.SoundLibrary;
import io.foley4j.pipeline.vocoder.VocosVocoder;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * The vocoder's half of {@link RecipeDump} (recipe/vocos.py trains a Vocos on these waveforms):
 * <pre>
 *   waves SOUNDS OUT_DIR      waves.safetensors: wave.N [samples] F16, the 48 kHz mono
 *                             waveform of clip N, same clips, order and skip rule as {@code clips} (N indexes
 *                             mels.safetensors and clips.json); f32.N for N < 3: the same waves in F32
 *   vocos MODEL REFERENCE     the folder's Vocos (VocosVocoder, FP32, 1 thread) on REFERENCE's mel [F, nMels] vs its
 *                             audio [(F - 1) hop] (recipe/vocos.py parity), then the time of 10 s of audio on 2 threads
 * </pre>
 */
final class RecipeVocos {
    static final int F32_COPIES = 3;

    private RecipeVocos() {}

    static void waves(Path sounds, Path out) throws IOException {
        Files.createDirectories(out);
        SoundLibrary lib = SoundLibrary.index(sounds);
        SafetensorsWriter w = new SafetensorsWriter().metadata("source", "RecipeDump waves " + sounds.getFileName())
                .metadata("sample_rate", "" + RecipeDump.SAMPLE_RATE);
        int n = 0;
        long samples = 0;
        try (Arena arena = Arena.ofConfined()) {
            for (SoundLibrary.Clip c : lib.clips()) {
                float[] x = SoundLibrary.loadMono48k(c);
                if (x.length < RecipeDump.N_FFT) continue; // the skip rule of RecipeDump.clips
                // F16 rather than I16: the same size, and quiet passages keep ~5e-4 relative precision (the rounding
                // noise still lifts near-empty mel bands off the 1e-5 floor: vocos.py computes its mels from these)
                MemorySegment s = arena.allocate(2L * x.length);
                for (int i = 0; i < x.length; i++) s.setAtIndex(Mem.I16, i, Fp16.f32ToF16(x[i]));
                w.addRaw("wave." + n, SafetensorsDType.F16, new long[] {x.length}, s);
                // F32 copies of the first clips: the exact input of mels.safetensors, for vocos.py's LogMel check
                if (n < F32_COPIES) w.add("f32." + n, Tensor.ofFloats(arena, x, x.length));
                n++;
                samples += x.length;
            }
            w.write(out.resolve("waves.safetensors"));
        }
        System.out.printf(Locale.ROOT, "waves: %d clips, %.1f s%n", n, samples / (double) RecipeDump.SAMPLE_RATE);
    }

    static void vocos(Path model, Path reference) throws IOException {
        FoleyNetConfig.Vocoder vc = FoleyNetConfig.read(model).vocoder();
        if (!"vocos".equals(vc.kind())) throw new IllegalArgumentException(model + ": vocoder.kind is " + vc.kind());
        float[] mel, expected;
        try (SafetensorsFile ref = SafetensorsFile.open(reference); Arena arena = Arena.ofConfined()) {
            mel = ref.toF32("mel", arena).toFloats();
            expected = ref.toF32("audio", arena).toFloats();
        }
        int frames = mel.length / vc.nMels();
        try (SafetensorsFile f = SafetensorsFile.open(model.resolve(vc.file())); Arena arena = Arena.ofShared()) {
            VocosVocoder v = new VocosVocoder(VocosWeights.load(f, vc.vocos(), arena), arena);
            try (WorkerPool pool = new WorkerPool(1)) {
                float[] audio = v.synthesize(pool, Tensor.ofFloats(arena, mel, frames, vc.nMels()));
                double peak = 0;
                for (float e : expected) peak = Math.max(peak, Math.abs(e));
                Diff d = Diff.of(audio, expected, 1.0);
                System.out.printf(Locale.ROOT, "vocos parity %s (%d frames): %s; maxAbs / peak %.3e (peak %.4f)%n",
                        model, frames, d, d.maxAbs() / peak, peak);
            }
            // 10 s of audio: the reference mel repeated, in windows of at most maxFrames (as VocosMelVocoder)
            int total = (int) Math.ceil(10.0 * vc.sampleRate() / vc.hop()), win = Math.min(total, vc.maxFrames());
            float[] long10 = new float[win * vc.nMels()];
            for (int i = 0; i < long10.length; i++) long10[i] = mel[i % mel.length];
            Tensor in = Tensor.ofFloats(arena, long10, win, vc.nMels());
            float[] out = new float[vc.vocos().samples(win)];
            try (WorkerPool pool = new WorkerPool(2)) {
                double best = Double.MAX_VALUE;
                for (int r = 0; r < 5; r++) {
                    long t0 = System.nanoTime();
                    for (int done = 0; done < total; done += win) v.synthesize(pool, in, out);
                    best = Math.min(best, (System.nanoTime() - t0) / 1e9);
                }
                System.out.printf(Locale.ROOT, "vocos time: 10 s of audio (%d frames, windows of %d) in %.3f s on 2"
                        + " threads (best of 5)%n", total, win, best);
            }
        }
    }
}
