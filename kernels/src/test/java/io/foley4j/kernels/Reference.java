package io.foley4j.kernels;

/** Double-precision reference math for tests, independent of the kernels' approximations. */
final class Reference {
    private Reference() {}

    /**
     * erfc(z) to about 1e-14 relative: for |z| < 2.5, 1 - erf with erf(z) = 2/sqrt(pi) e^(-z^2) sum 2^n z^(2n+1) /
     * (1*3*...*(2n+1)) (all terms positive, no cancellation inside the sum); above, the continued fraction
     * erfc(z) = e^(-z^2) / sqrt(pi) / (z + (1/2) / (z + 1 / (z + (3/2) / (z + ...)))) evaluated bottom-up.
     */
    static double erfc(double z) {
        if (z < 0) {
            return 2 - erfc(-z);
        }
        if (z < 2.5) {
            double term = z, sum = z, z2 = 2 * z * z;
            for (int n = 1; n < 200 && term > 1e-18 * sum; n++) {
                term *= z2 / (2 * n + 1);
                sum += term;
            }
            return 1 - 2 / Math.sqrt(Math.PI) * Math.exp(-z * z) * sum;
        }
        double f = z;
        for (int n = 400; n >= 1; n--) {
            f = z + (n / 2.0) / f;
        }
        return Math.exp(-z * z) / Math.sqrt(Math.PI) / f;
    }
}
