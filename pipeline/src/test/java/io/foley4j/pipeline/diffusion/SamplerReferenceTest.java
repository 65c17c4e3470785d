package io.foley4j.pipeline.diffusion;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.foley4j.engine.Tensor;
import io.foley4j.engine.WorkerPool;
import io.foley4j.kernels.Diff;
import io.foley4j.loader.SafetensorsFile;
import io.foley4j.models.diffusion.DitConfig;
import io.foley4j.models.diffusion.DitState;
import io.foley4j.models.diffusion.DitWeights;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Every intermediate sample of every sampler, with and without classifier-free guidance, against the committed
 * PyTorch trajectories of models/src/test/resources/diffusion/generate_reference.py (tiny DiT, 6 steps).
 * Metric: |a - e| / max(|e|, 1) over the sample.
 */
class SamplerReferenceTest {
    static final Path DIR = Path.of("../models/src/test/resources/diffusion");
    static final double STEP_TOL = 1e-4, FINAL_TOL = 1e-3;
    static final int STEPS = 6, T = 16;
    static final double GUIDANCE = 3.0;

    static Arena arena;
    static SafetensorsFile weightsFile, ref;
    static DitWeights weights;

    @BeforeAll
    static void open() throws IOException {
        arena = Arena.ofShared();
        weightsFile = SafetensorsFile.open(DIR.resolve("dit_tiny.safetensors"));
        ref = SafetensorsFile.open(DIR.resolve("dit_reference.safetensors"));
        weights = DitWeights.load(weightsFile, DitConfig.tiny(), DitWeights.Precision.FP32, arena);
    }

    @AfterAll
    static void close() {
        weightsFile.close();
        ref.close();
        arena.close();
    }

    static Tensor get(String name) throws IOException {
        return ref.toF32(name, arena);
    }

    static DitDenoiser denoiser(WorkerPool pool, boolean guided) throws IOException {
        DitState st = new DitState(weights.config(), pool.threads(), arena);
        Tensor text = get("noise.text"), mask = get("noise.mask"), cond = get("noise.cond");
        if (!guided) return DitDenoiser.unguided(weights, st, pool, T, text, mask, cond, arena);
        Tensor zerosText = Tensor.ofHeap(new float[(int) text.numel()], text.shape());
        Tensor zerosCond = Tensor.ofHeap(new float[(int) cond.numel()], cond.shape());
        return DitDenoiser.guided(weights, st, pool, T, GUIDANCE, text, mask, cond, zerosText, get("noise.umask"),
                zerosCond, arena);
    }

    static Sampler sampler(String name, int numel) {
        VpSchedule s = VpSchedule.linear(1000, 1e-4, 0.02);
        return switch (name) {
            case "ddpm_eps" -> VpSampler.ddpm(s, Prediction.EPSILON, STEPS, numel);
            case "ddpm_v" -> VpSampler.ddpm(s, Prediction.V, STEPS, numel);
            case "ddim_eps" -> VpSampler.ddim(s, Prediction.EPSILON, STEPS, 0, numel);
            case "ddim_eta05_v" -> VpSampler.ddim(s, Prediction.V, STEPS, 0.5, numel);
            case "dpmpp2m_eps" -> VpSampler.dpmSolverPP2M(s, Prediction.EPSILON, STEPS, numel);
            case "dpmpp2m_v" -> VpSampler.dpmSolverPP2M(s, Prediction.V, STEPS, numel);
            case "euler" -> FlowSampler.euler(Prediction.VELOCITY, STEPS, numel);
            case "heun" -> FlowSampler.heun(Prediction.VELOCITY, STEPS, numel);
            default -> throw new IllegalArgumentException(name);
        };
    }

    /** Replays the committed per-step noise, in order. */
    static Noise committed(float[] all, int numel) {
        int[] at = {0};
        return out -> {
            System.arraycopy(all, at[0], out, 0, numel);
            at[0] += numel;
        };
    }

    @ParameterizedTest
    @CsvSource({"ddpm_eps, false", "ddpm_v, false", "ddim_eps, false", "ddim_eta05_v, false", "dpmpp2m_eps, false",
            "dpmpp2m_v, false", "euler, false", "heun, false", "ddpm_eps, true", "ddpm_v, true", "ddim_eps, true",
            "ddim_eta05_v, true", "dpmpp2m_eps, true", "dpmpp2m_v, true", "euler, true", "heun, true"})
    void everyStepMatchesTorch(String name, boolean guided) throws IOException {
        String key = name + (guided ? "_cfg" : "");
        float[] traj = get(key + ".traj").toFloats();
        int numel = T * DitConfig.tiny().inChannels();
        float[] x = Arrays.copyOf(traj, numel);
        assertArrayEquals(get("noise.x").toFloats(), x, 0f, "initial noise");
        boolean stochastic = name.startsWith("ddpm") || name.contains("eta");
        Noise noise = stochastic ? committed(get(key + ".noise").toFloats(), numel) : out -> {
            throw new AssertionError(key + " drew noise");
        };
        if (stochastic) {
            // the committed noise is the specified GaussianNoise stream of seed 99, drawn step after step
            float[] gen = new float[get(key + ".noise").toFloats().length];
            GaussianNoise g = new GaussianNoise(99);
            float[] one = new float[numel];
            for (int i = 0; i < gen.length / numel; i++) {
                g.next(one);
                System.arraycopy(one, 0, gen, i * numel, numel);
            }
            assertArrayEquals(get(key + ".noise").toFloats(), gen, 0f, key + " noise stream");
        }
        try (WorkerPool pool = new WorkerPool(1)) {
            Sampler s = sampler(name, numel);
            DitDenoiser model = denoiser(pool, guided);
            s.sample(x, model, noise, i -> {
                float[] expected = Arrays.copyOfRange(traj, (i + 1) * numel, (i + 2) * numel);
                Diff d = Diff.of(x, expected, 1.0);
                double tol = i == STEPS - 1 ? FINAL_TOL : STEP_TOL;
                assertTrue(d.maxRel() < tol, key + " step " + i + ": " + d);
            });
            assertEquals(STEPS, s.steps());
        }
    }

    @ParameterizedTest
    @CsvSource({"dpmpp2m_eps, true", "ddpm_v, true", "heun, false"})
    void oneAndTwoThreadsSampleBitIdentically(String name, boolean guided) throws IOException {
        int numel = T * DitConfig.tiny().inChannels();
        float[][] results = new float[2][];
        for (int threads = 1; threads <= 2; threads++) {
            try (WorkerPool pool = new WorkerPool(threads)) {
                float[] x = new float[numel];
                GaussianNoise noise = new GaussianNoise(5, pool);
                noise.next(x);
                sampler(name, numel).sample(x, denoiser(pool, guided), noise, null);
                results[threads - 1] = x;
            }
        }
        assertArrayEquals(results[0], results[1], 0f, name);
    }

    @ParameterizedTest
    @CsvSource({"EPSILON, true", "V, true", "VELOCITY, false"})
    void unsupportedPredictionsAreRefused(Prediction p, boolean flow) {
        VpSchedule s = VpSchedule.linear(1000, 1e-4, 0.02);
        var e = assertThrows(IllegalArgumentException.class,
                () -> { if (flow) FlowSampler.euler(p, 4, 8); else VpSampler.ddim(s, p, 4, 0, 8); });
        assertTrue(e.getMessage().contains(p.name()), e.getMessage());
    }
}
