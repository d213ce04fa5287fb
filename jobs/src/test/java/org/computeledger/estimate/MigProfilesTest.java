package org.computeledger.estimate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The shipped MIG table: each expected share is the SM counts of the row's cited source divided by
 * hand (16 of 132, 14 of 108 ...), and the memory share the source's fraction of eight slices.
 */
class MigProfilesTest {
  private static final MigProfiles SHIPPED = MigProfiles.load();

  @ParameterizedTest(name = "{0} {1}: {2} of {3} SMs, {4} of the memory")
  @CsvSource(
      delimiter = '|',
      value = {
        // NVIDIA MIG User Guide, 'List GPU Instance Profiles' (nvidia-smi mig -lgip on an A100-SXM4-40GB): SM 14 of 108
        "a100-sxm4-40gb|MIG 1g.5gb+me|14|108|0.125",
        "a100-sxm4-80gb|7g.80gb|98|108|1", // the whole GPU keeps SMs no instance gets
        // nvidia-smi mig -lgip on an H100 80GB HBM3 (jbarrow.ai field notes)
        "h100-sxm|3g.40gb|60|132|0.5",
        // nvidia-smi mig -lgip on an H100 NVL (NVIDIA/gpu-operator pull request 900)
        "h100-nvl|MIG 1g.12gb|16|132|0.125",
        // nvidia-smi mig -lgip on an H200 (NVIDIA/mig-parted issue 120)
        "h200-sxm|MIG 1g.18gb|16|132|0.125",
        "h200-sxm|1g.35gb|26|132|0.25",
        "h200-sxm|7g.141gb|132|132|1",
        // nvidia-smi mig -lgip on a B200 (NVIDIA/mig-parted pull request 166): 1g.23gb 18, 1g.45gb 30, 2g.45gb 36
        "b200|MIG 1g.23gb|18|148|0.125",
        "b200|1g.45gb|30|148|0.25",
        "b200|2g.45gb|36|148|0.25",
        // the MIG User Guide's A30-24GB table (a quarter of the SMs per slice), 14 of 56 in NVIDIA/go-nvml's A30 data
        "a30|1g.6gb|14|56|0.25",
      })
  void aListedProfileHoldsItsSmsOfTheGpusAndItsMemoryShare(String model, String profile, int sms, int gpuSms,
      double memory) {
    MigProfiles.Share s = SHIPPED.share(model, profile);
    assertEquals(sms / (double) gpuSms, s.compute(), 1e-12);
    assertEquals(memory, s.memory(), 0);
    assertFalse(s.bySlices());
  }

  @Test
  void smallInstancesHoldFewerSmsThanTheirSlicesOfSeven() {
    assertTrue(SHIPPED.share("a100-sxm4-40gb", "1g.5gb").compute() < 1.0 / 7, "the whole GPU keeps SMs no slice gets");
    assertTrue(SHIPPED.share("b200", "2g.45gb").compute() < 2.0 / 7, "two slices hold fewer SMs than two sevenths");
  }

  @ParameterizedTest(name = "{0} {1}: {2}/7 by slices")
  @CsvSource({"b200, MIG 3g.90gb, 3", "a100-pcie-40gb, 3g.20gb, 3"})
  void aProfileTheTableLacksKeepsTheSliceRuleFlaggedWithNoMemoryShare(String model, String profile, int slices) {
    MigProfiles.Share s = SHIPPED.share(model, profile);
    assertEquals(slices / 7.0, s.compute(), 1e-12);
    assertTrue(s.bySlices());
    assertNull(s.memory());
  }

  @Test
  void everyShippedRowHasASourceAndOneGpuSmCountPerModel() {
    Map<String, Integer> gpuSms = new HashMap<>();
    for (MigProfiles.Profile p : SHIPPED.rows()) {
      assertFalse(p.source().isBlank(), p.model() + " " + p.profile());
      Integer earlier = gpuSms.putIfAbsent(p.model(), p.gpuSms());
      assertTrue(earlier == null || earlier == p.gpuSms(), p.model() + ": two GPU SM counts");
    }
    assertEquals(36, SHIPPED.rows().size()); // 33 + B200 1g.23gb, 1g.45gb, 2g.45gb
  }
}
