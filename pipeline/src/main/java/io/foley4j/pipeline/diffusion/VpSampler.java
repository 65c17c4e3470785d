package io.foley4j.pipeline.diffusion;

/**
 * Samplers of a variance-preserving diffusion model (epsilon or v prediction) over the trailing-spaced timesteps of
 * a {@link VpSchedule}; from t to the next timestep p (abar_p = 1 at the end). Updates run in double from the float
 * model output and round x to float after every step.
 * <ul>
 *   <li>DDPM (Ho et al. 2020), posterior mean and variance between t and p:
 *       x = sqrt(abar_p) beta / (1 - abar_t) x0 + sqrt(alpha) (1 - abar_p) / (1 - abar_t) x
 *       + sqrt((1 - abar_p) / (1 - abar_t) beta) z, alpha = abar_t / abar_p, beta = 1 - alpha, no noise at the end.</li>
 *   <li>DDIM (Song et al. 2021): sigma = eta sqrt((1 - abar_p) / (1 - abar_t)) sqrt(1 - abar_t / abar_p),
 *       x = sqrt(abar_p) x0 + sqrt(1 - abar_p - sigma^2) eps + sigma z.</li>
 *   <li>DPM-Solver++(2M) (Lu et al. 2022), data prediction, lambda = ln(alpha / sigma), h = lambda_p - lambda_t:
 *       x = (sigma_p / sigma_t) x - alpha_p (e^-h - 1) D, D = x0 at the first and last step, else
 *       D = (1 + 1/(2r)) x0 - 1/(2r) x0_prev with r = h_prev / h.</li>
 * </ul>
 */
public final class VpSampler implements Sampler {
    public enum Method { DDPM, DDIM, DPM_SOLVER_PP_2M }

    private final Method method;
    private final VpSchedule schedule;
    private final Prediction prediction;
    private final double eta;
    private final int[] ts;
    private final float[] out, z;
    private final double[] x0, eps, prevX0; // kept in double like the reference
    private boolean hasPrev;
    private double prevH;

    private VpSampler(Method method, VpSchedule schedule, Prediction prediction, int steps, double eta, int numel) {
        if (prediction != Prediction.EPSILON && prediction != Prediction.V) {
            throw new IllegalArgumentException("VpSampler " + method + ": prediction " + prediction
                    + " is not supported (EPSILON or V; VELOCITY is for FlowSampler)");
        }
        if (!(eta >= 0) || numel < 1) {
            throw new IllegalArgumentException("VpSampler " + method + ": eta " + eta + " and numel " + numel
                    + " must be >= 0 and >= 1");
        }
        this.method = method;
        this.schedule = schedule;
        this.prediction = prediction;
        this.eta = eta;
        this.ts = schedule.spaced(steps);
        out = new float[numel];
        x0 = new double[numel];
        eps = new double[numel];
        prevX0 = new double[numel];
        z = new float[numel];
    }

    public static VpSampler ddpm(VpSchedule s, Prediction p, int steps, int numel) {
        return new VpSampler(Method.DDPM, s, p, steps, 0, numel);
    }

    public static VpSampler ddim(VpSchedule s, Prediction p, int steps, double eta, int numel) {
        return new VpSampler(Method.DDIM, s, p, steps, eta, numel);
    }

    public static VpSampler dpmSolverPP2M(VpSchedule s, Prediction p, int steps, int numel) {
        return new VpSampler(Method.DPM_SOLVER_PP_2M, s, p, steps, 0, numel);
    }

    @Override
    public float[] timesteps() {
        float[] t = new float[ts.length - 1];
        for (int i = 0; i < t.length; i++) t[i] = ts[i];
        return t;
    }

    @Override
    public void reset() {
        hasPrev = false;
    }

    @Override
    public void step(int i, float[] x, Denoiser model, Noise noise) {
        if (x.length != out.length) {
            throw new IllegalArgumentException("VpSampler.step: x has " + x.length + " values, sampler made for "
                    + out.length);
        }
        int t = ts[i], p = ts[i + 1];
        double a = schedule.abar(t), ap = schedule.abar(p);
        model.predict(x, t, out);
        predictX0Eps(x, a);
        switch (method) {
            case DDPM -> {
                double alpha = a / ap, beta = 1 - alpha;
                double cx0 = Math.sqrt(ap) * beta / (1 - a), cx = Math.sqrt(alpha) * (1 - ap) / (1 - a);
                double sd = Math.sqrt((1 - ap) / (1 - a) * beta);
                boolean noisy = p >= 0;
                if (noisy) noise.next(z);
                for (int j = 0; j < x.length; j++) {
                    double mean = cx0 * x0[j] + cx * x[j];
                    x[j] = (float) (noisy ? mean + sd * z[j] : mean);
                }
            }
            case DDIM -> {
                double sigma = eta * Math.sqrt((1 - ap) / (1 - a) * (1 - a / ap));
                double cx0 = Math.sqrt(ap), ce = Math.sqrt(Math.max(0, 1 - ap - sigma * sigma));
                boolean noisy = sigma > 0;
                if (noisy) noise.next(z);
                for (int j = 0; j < x.length; j++) {
                    double v = cx0 * x0[j] + ce * eps[j];
                    x[j] = (float) (noisy ? v + sigma * z[j] : v);
                }
            }
            case DPM_SOLVER_PP_2M -> dpmStep(x, a, ap, p >= 0);
        }
    }

    private void dpmStep(float[] x, double a, double ap, boolean notLast) {
        double alS = Math.sqrt(a), siS = Math.sqrt(1 - a), alT = Math.sqrt(ap), siT = Math.sqrt(1 - ap);
        double emh = (siT * alS) / (alT * siS); // e^-h, 0 at the clean end
        double c0 = 1, c1 = 0; // D = c0 x0 + c1 x0_prev
        if (notLast) {
            double h = Math.log(alT / siT) - Math.log(alS / siS);
            if (hasPrev) {
                double r = prevH / h;
                c0 = 1 + 1 / (2 * r);
                c1 = -(1 / (2 * r));
            }
            prevH = h;
        }
        double cx = siT / siS, cd = alT * (emh - 1);
        for (int j = 0; j < x.length; j++) {
            double d = c1 == 0 ? x0[j] : c0 * x0[j] + c1 * prevX0[j];
            x[j] = (float) (cx * x[j] - cd * d);
        }
        System.arraycopy(x0, 0, prevX0, 0, x0.length);
        hasPrev = true;
    }

    /** x0 and eps from the model output at abar = a. */
    private void predictX0Eps(float[] x, double a) {
        double sa = Math.sqrt(a), so = Math.sqrt(1 - a);
        for (int j = 0; j < x.length; j++) {
            double o = out[j], xj = x[j];
            boolean e = prediction == Prediction.EPSILON;
            x0[j] = e ? (xj - so * o) / sa : sa * xj - so * o;
            eps[j] = e ? o : so * xj + sa * o;
        }
    }
}
