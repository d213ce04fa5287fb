package org.computeledger.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Test;

/** The labels bill lines get for the methodology, from the words providers put in them. */
class AcceleratorsTest {
  @Test
  void aTpuGenerationWithItsVIsLabelledWithIt() {
    assertEquals("tpu-v5e", Accelerators.of("TPU v5e chip-hour"));
  }

  @Test
  void theTpu7xNameWithoutAVIsLabelledTpuV7() {
    assertEquals("tpu-v7", Accelerators.of("TPU7x chip-hour"));
    assertEquals("tpu-v7", Accelerators.of("tpu-7x"));
  }

  @Test
  void aG5InstanceTypeIsAnA10g() {
    assertEquals("a10g", Accelerators.of("BoxUsage:g5.12xlarge"));
  }

  @Test
  void aBlackwellUltraLineIsLabelledB300NeverB200() {
    // AWS names its B300 instances "p6-b300.48xlarge"; GB300 NVL72 capacity names the superchip
    assertEquals("b300", Accelerators.of("BoxUsage:p6-b300.48xlarge"));
    assertEquals("gb300", Accelerators.of("GB300 NVL72 GPU-hour"));
  }

  @Test
  void aLineNamingNoAcceleratorHasNoLabel() {
    assertNull(Accelerators.of("Data Transfer Out", null, ""));
  }
}
