package org.computeledger.estimate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The shipped MIG table: each expected share is the SM counts of the row's cited source divided by
 * hand (16 of 132, 14 of 108 ...), and the memory share the source's fraction of eight slices.
 */
class MigProfilesTest {
  private static final MigProfiles SHIPPED = MigProfiles.load();

  @Test
  void h200OneG18gbHoldsSixteenOf132SmsAndAnEighthOfTheMemory() {
    MigProfiles.Share s = SHIPPED.share("h200-sxm", "MIG 1g.18gb");
    assertEquals(0.121212121212, s.compute(), 1e-12);
    assertEquals(0.125, s.memory(), 0);
    assertFalse(s.bySlices());
  }

  @Test
  void h200OneG35gbHasMoreSmsThanOneG18gbAndAQuarterOfTheMemory() {
    MigProfiles.Share s = SHIPPED.share("h200-sxm", "1g.35gb");
    assertEquals(26.0 / 132, s.compute(), 1e-12);
    assertEquals(0.25, s.memory(), 0);
  }

  @Test
  void b200OneG23gbHoldsEighteenOf148SmsAndAnEighthOfTheMemory() {
    // nvidia-smi mig -lgip on a B200 (NVIDIA/mig-parted pull request 166): SM 18 for MIG 1g.23gb
    MigProfiles.Share s = SHIPPED.share("b200", "MIG 1g.23gb");
    assertEquals(18.0 / 148, s.compute(), 1e-12);
    assertEquals(0.125, s.memory(), 0);
    assertFalse(s.bySlices());
  }

  @Test
  void b200OneG45gbAndTwoG45gbHoldThirtyAndThirtySixOf148SmsAndAQuarterOfTheMemory() {
    MigProfiles.Share one = SHIPPED.share("b200", "1g.45gb");
    MigProfiles.Share two = SHIPPED.share("b200", "2g.45gb");
    assertEquals(30.0 / 148, one.compute(), 1e-12);
    assertEquals(36.0 / 148, two.compute(), 1e-12);
    assertEquals(0.25, one.memory(), 0);
    assertEquals(0.25, two.memory(), 0);
    assertTrue(two.compute() < 2.0 / 7, "two slices hold fewer SMs than two sevenths of the GPU");
  }

  @Test
  void b200ProfilesTheTableLacksKeepTheSliceRuleFlagged() {
    MigProfiles.Share s = SHIPPED.share("b200", "MIG 3g.90gb");
    assertEquals(3.0 / 7, s.compute(), 1e-12);
    assertTrue(s.bySlices());
  }

  @Test
  void a100OneG5gbIsFourteenOf108NotASeventh() {
    MigProfiles.Share s = SHIPPED.share("a100-sxm4-40gb", "MIG 1g.5gb+me");
    assertEquals(0.129629629630, s.compute(), 1e-12);
    assertTrue(s.compute() < 1.0 / 7, "the whole GPU keeps SMs no slice gets");
  }

  @Test
  void a100SevenG80gbIsNinetyEightOf108() {
    assertEquals(0.907407407407, SHIPPED.share("a100-sxm4-80gb", "7g.80gb").compute(), 1e-12);
    assertEquals(1.0, SHIPPED.share("a100-sxm4-80gb", "7g.80gb").memory(), 0);
  }

  @Test
  void h100ThreeG40gbIsSixtyOf132AndHalfTheMemory() {
    MigProfiles.Share s = SHIPPED.share("h100-sxm", "3g.40gb");
    assertEquals(0.454545454545, s.compute(), 1e-12);
    assertEquals(0.5, s.memory(), 0);
  }

  @Test
  void aProfileTheTableLacksKeepsTheSliceRuleFlaggedWithNoMemoryShare() {
    MigProfiles.Share s = SHIPPED.share("a100-pcie-40gb", "3g.20gb");
    assertEquals(3.0 / 7, s.compute(), 1e-12);
    assertTrue(s.bySlices());
    assertNull(s.memory());
  }

  @Test
  void h100NvlOneG12gbHoldsSixteenOf132Sms() {
    MigProfiles.Share s = SHIPPED.share("h100-nvl", "MIG 1g.12gb");
    assertEquals(16.0 / 132, s.compute(), 1e-12);
    assertEquals(0.125, s.memory(), 0);
    assertFalse(s.bySlices());
  }

  @Test
  void h200SevenG141gbIsTheWholeGpu() {
    assertEquals(1.0, SHIPPED.share("h200-sxm", "7g.141gb").compute(), 0);
  }

  @Test
  void a30OneG6gbIsAQuarterOfTheSmsByTheTableNotTheSliceRule() {
    MigProfiles.Share s = SHIPPED.share("a30", "1g.6gb");
    assertEquals(14.0 / 56, s.compute(), 1e-12);
    assertFalse(s.bySlices());
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
