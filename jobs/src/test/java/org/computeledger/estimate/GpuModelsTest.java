package org.computeledger.estimate;

import org.computeledger.RealSamples;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.computeledger.estimate.GpuModels.ModelMatch;
import org.computeledger.ingest.CollectingSink;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

/** Names as telemetry, Kubernetes, vGPU and Slurm write them, including those in the real samples. */
class GpuModelsTest {

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource(
      delimiter = '|',
      value = {
        "NVIDIA H100 80GB HBM3|h100-sxm",
        "NVIDIA H100 PCIe|h100-pcie",
        "NVIDIA H100 NVL|h100-nvl",
        "NVIDIA H200|h200-sxm",
        "NVIDIA H200 NVL|h200-nvl",
        "Tesla T4|t4",
        "NVIDIA L4|l4",
        "NVIDIA L40S|l40s",
        "NVIDIA L40|l40",
        "NVIDIA A100-SXM4-80GB|a100-sxm4-80gb",
        "A100-SXM4-80GB|a100-sxm4-80gb",
        "NVIDIA A100-SXM4-40GB|a100-sxm4-40gb",
        "NVIDIA A100-PCIE-40GB|a100-pcie-40gb",
        "NVIDIA A100 80GB PCIe|a100-pcie-80gb",
        "Tesla V100-SXM2-32GB|v100-sxm2-32gb",
        "Tesla V100-SXM2-16GB|v100-sxm2-16gb",
        "Tesla V100-PCIE-16GB|v100-pcie",
        "Tesla V100S-PCIE-32GB|v100s-pcie",
        "Tesla P100-PCIE-16GB|p100-pcie",
        "Tesla P100-SXM2-16GB|p100-sxm2",
        "NVIDIA A10|a10",
        "NVIDIA A30|a30",
        "NVIDIA A40|a40",
        "NVIDIA RTX A6000|rtx-a6000",
        "NVIDIA B200|b200",
        "NVIDIA GB200|gb200",
        "AMD Instinct MI300X|mi300x",
        "AMD Instinct MI250X|mi250x",
      })
  void productNamesFromNvidiaSmiAndDcgmMapToOneSku(String raw, String id) {
    ModelMatch m = GpuModels.match(raw);
    assertEquals(id, m.id());
    assertTrue(m.exact(), raw + " names one SKU");
    assertEquals(id, GpuModels.normalize(raw));
  }

  @Test
  void kubernetesProductLabelsWithHyphensMapLikeTheNamesTheyCopy() {
    // GPU feature discovery writes nvidia.com/gpu.product with the spaces of the product name as '-'
    assertEquals(new ModelMatch("h100-sxm", true, null), GpuModels.match("NVIDIA-H100-80GB-HBM3"));
    assertEquals(new ModelMatch("t4", true, null), GpuModels.match("Tesla-T4"));
  }

  @Test
  void modelNamesInTheRealDcgmScrapesAreRecognised() throws IOException {
    Set<String> names = new TreeSet<>();
    for (String file :
        List.of("dcgm/cncf-k8s-ai-conformance_ericsson-ccd.prom", "dcgm/cncf-k8s-ai-conformance_kops.prom")) {
      Matcher m = Pattern.compile("modelName=\"([^\"]*)\"").matcher(read(file));
      while (m.find()) {
        names.add(m.group(1));
      }
    }
    assertEquals(Set.of("Tesla T4", "NVIDIA L4"), names);
    assertEquals(new ModelMatch("t4", true, null), GpuModels.match("Tesla T4"));
    assertEquals(new ModelMatch("l4", true, null), GpuModels.match("NVIDIA L4"));
  }

  @Test
  void nameColumnOfTheRealNvidiaSmiCapturesIsRecognised() throws IOException {
    assertEquals("h100-sxm", smiName("nvidia-smi/linux-x86_64__nvidia-h100-80gb-hbm3__590.48.01.load.query-gpu.csv"));
    assertEquals("l40s", smiName("nvidia-smi/linux-x86_64__nvidia-l40s__595.80.load.query-gpu.csv"));
  }

  @Test
  void everyGresTypeInTheRealSlurmSamplesIsRecognised() throws IOException {
    Set<String> types = new TreeSet<>();
    for (String file : List.of("slurm/xdmod-alloc-tres-gpu-count.json", "slurm/habrok-sacct-noheader.txt")) {
      Matcher m = Pattern.compile("gres/gpu:([A-Za-z][A-Za-z0-9_.-]*)").matcher(read(file));
      while (m.find()) {
        types.add(m.group(1));
      }
    }
    assertEquals(Set.of("a100", "p100", "tesla", "v100", "volta"), types);
    for (String type : types) {
      if (!type.equals("tesla")) {
        assertNotNull(GpuModels.normalize(type), type);
      }
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"tesla", "Tesla", "NVIDIA Tesla", " TESLA "})
  void teslaAloneIsAnUnknownModelNeverAV100(String raw) {
    // "Tesla" is a brand (K80, P100, V100, T4 ...): its compute goes to unknown/unpriced, not to a guess
    assertNull(GpuModels.match(raw), raw);
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource(
      delimiter = '|',
      value = {
        "a100|a100-sxm4-40gb",
        "a100_80gb|a100-sxm4-80gb",
        "h100|h100-sxm",
        "h200|h200-sxm",
        "v100|v100-sxm2-32gb",
        "volta|v100-sxm2-32gb",
        "p100|p100-pcie",
      })
  void ambiguousSchedulerTypesMapToTheCommonSkuAndSaySo(String raw, String id) {
    ModelMatch m = GpuModels.match(raw);
    assertEquals(id, m.id());
    assertFalse(m.exact(), raw + " leaves the SKU open");
    assertTrue(m.note().contains("assumed"), m.note());
  }

  @ParameterizedTest
  @ValueSource(strings = {"t4", "l4", "l40s", "a10", "b200", "gb200", "mi300x"})
  void schedulerTypesThatNameOneSkuAreExact(String raw) {
    ModelMatch m = GpuModels.match(raw);
    assertEquals(raw, m.id());
    assertTrue(m.exact());
  }

  @Test
  void vgpuTypesMapToTheirParentBoardAndSayTheyAreVgpus() {
    ModelMatch pcie = GpuModels.match("GRID A100-40C");
    assertEquals("a100-pcie-40gb", pcie.id());
    assertFalse(pcie.exact());
    assertTrue(pcie.note().contains("vGPU"), pcie.note());

    ModelMatch hgx = GpuModels.match("GRID A100X-40C");
    assertEquals("a100-sxm4-40gb", hgx.id());
    assertFalse(hgx.exact());
  }

  @Test
  void migBackedVgpuTypeStillMapsToItsParent() {
    assertEquals("a100-pcie-40gb", GpuModels.normalize("GRID A100-3-20C"));
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource(
      delimiter = '|',
      value = {
        "NVIDIA A100-SXM4-80GB MIG 1g.10gb|a100-sxm4-80gb|1g.10gb",
        // MIG GPUs the guide lists without shipped peaks: named as nvidia-smi names MIG devices (parent, "MIG", profile)
        "NVIDIA H20 MIG 1g.12gb|h20|1g.12gb",
        "NVIDIA RTX PRO 6000 Blackwell Server Edition MIG 2g.48gb|rtx-pro-6000|2g.48gb",
      })
  void migDeviceNameMapsToItsParentAndPointsToMigFraction(String raw, String parent, String profile) {
    ModelMatch m = GpuModels.match(raw);
    assertEquals(parent, m.id());
    assertTrue(m.exact(), "the parent is named in full");
    assertTrue(m.note().contains(profile) && m.note().contains("migFraction"), m.note());
  }

  @Test
  void slurmMigTypeMapsToTheParentFamily() {
    ModelMatch m = GpuModels.match("a100_3g.40gb");
    assertEquals("a100-sxm4-40gb", m.id());
    assertFalse(m.exact());
    assertTrue(m.note().contains("3g.40gb"), m.note());
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "NVIDIA A100X",
        "Tesla K80",
        "Tesla V100-SXM3-32GB",
        "v4-8", // a TPU accelerator type without "tpu" could be anything
        "HL-205", // Gaudi 1
        "[N/A]",
      })
  void namesOutsideTheCatalogAreUnknownRatherThanALookalike(String raw) {
    assertNull(GpuModels.match(raw), raw);
  }

  @ParameterizedTest
  @NullAndEmptySource
  @ValueSource(strings = {"   ", "NVIDIA"})
  void emptyNamesAreUnknown(String raw) {
    assertNull(GpuModels.normalize(raw));
  }

  @Test
  void l40AndL40sAreDifferentModels() {
    assertEquals("l40", GpuModels.normalize("NVIDIA L40"));
    assertEquals("l40s", GpuModels.normalize("NVIDIA L40S"));
  }

  @Test
  void everyPricedIdIsACatalogModel() {
    Set<String> missing = new TreeSet<>(GpuModels.IDS);
    missing.removeAll(PeakCatalog.load().models());
    assertEquals(Set.of(), missing);
  }

  @Test
  void unpricedIdsHaveNoShippedRowSoTheyAreNeverPricedByALookalike() {
    Set<String> shipped = new TreeSet<>(GpuModels.UNPRICED_IDS);
    shipped.retainAll(PeakCatalog.load().models());
    assertEquals(Set.of(), shipped);
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource(
      delimiter = '|',
      value = {
        "NVIDIA GH200 480GB|gh200",
        "NVIDIA GH200 144G HBM3e|gh200",
        "NVIDIA A10G|a10g", // AWS's A10 variant: never the A10
        "NVIDIA H800|h800", // nvidia-smi / DCGM name of the SXM5 module (NCCL logs of H800 SXM5 nodes)
        "NVIDIA-H800|h800", // Kubernetes nvidia.com/gpu.product label
        "NVIDIA H800 80GB HBM3|h800",
        "H800 SXM5|h800",
        "NVIDIA H800 PCIe|h800-pcie", // the PCIe card is its own model, without figures
        "NVIDIA H20|h20",
        "NVIDIA A800 80GB PCIe|a800",
        "NVIDIA L20|l20",
        "NVIDIA B100|b100",
        "NVIDIA B300 SXM6 AC|b300", // nvidia-smi / DCGM name (NVIDIA NIM support matrix lists NVIDIA-B300-SXM6-AC)
        "NVIDIA-B300-SXM6-AC|b300", // Kubernetes nvidia.com/gpu.product label
        "p6-b300.48xlarge|b300", // EC2 instance type (8x B300)
        "ml.p6-b300.48xlarge|b300", // SageMaker HyperPod instance type
        "NVIDIA GB300|gb300",
        "NVIDIA-GB300|gb300",
        "NVIDIA RTX 6000 Ada Generation|rtx-6000-ada",
        "NVIDIA RTX PRO 6000 Blackwell Server Edition|rtx-pro-6000",
        // the MIG User Guide's other two editions of the card (same GB202, 96GB, 4 MIG instances): one id
        "NVIDIA RTX PRO 6000 Blackwell Workstation Edition|rtx-pro-6000",
        "NVIDIA RTX PRO 6000 Blackwell Max-Q Workstation Edition|rtx-pro-6000",
        "AMD Instinct MI325X|mi325x",
        "AMD Instinct MI355X|mi355x",
        "AMD Instinct MI300A|mi300a",
        "AMD Instinct MI250|mi250",
        "AMD Instinct MI210|mi210",
        "HL-225|gaudi2", // hl-smi product name of the Gaudi 2 mezzanine card
        "Gaudi2|gaudi2",
        "HL-325L|gaudi3", // hl-smi product name of the Gaudi 3 OAM card
        "Gaudi 3|gaudi3",
        "gaudi3|gaudi3",
        "tpu-v4-podslice|tpu-v4",
        "tpu-v5-lite-podslice|tpu-v5e",
        "v5litepod-16|tpu-v5e",
        "tpu-v5p-slice|tpu-v5p",
        "v5p-8|tpu-v5p",
        "tpu-v6e-slice|tpu-v6e",
        "trainium2|trainium2",
        "trn1.32xlarge|trainium1",
        "trn2.48xlarge|trainium2",
        "inf2.xlarge|inferentia2",
      })
  void acceleratorsAreMatchedByTheirExplicitNames(String raw, String id) {
    ModelMatch m = GpuModels.match(raw);
    assertEquals(id, m.id(), raw);
    assertTrue(m.exact(), raw);
  }

  @ParameterizedTest(name = "{0} holds {1}/7")
  @CsvSource(
      delimiter = '|',
      value = {
        "1g.10gb|1", // A100 80GB
        "3g.40gb|3",
        "7g.80gb|7",
        "1g.5gb|1", // A100 40GB
        "2g.20gb|2",
        "4g.40gb|4",
        "1g.12gb|1", // H100 94GB and 96GB
        "1g.24gb|1",
        "3g.47gb|3",
        "1g.10gb+me|1", // media extensions add decoders, not SMs
        "MIG 2g.20gb|2",
        "1c.3g.40gb|1", // a compute instance holding one of its GPU instance's three slices
      })
  void migFractionIsComputeSlicesOverSeven(String profile, int slices) {
    assertEquals(slices / 7.0, GpuModels.migFraction(profile), 1e-12);
  }

  @ParameterizedTest
  @NullAndEmptySource
  @ValueSource(strings = {"5g.50gb", "8g.80gb", "0g.10gb", "4c.3g.40gb", "1g", "1g.10", "gpu", "full"})
  void unknownMigProfileIsNullNeverZero(String profile) {
    assertNull(GpuModels.migFraction(profile));
  }

  @Test
  void aFourSliceGpuOffersOneTwoAndFourSliceInstancesOnly() {
    // the MIG User Guide's A30-24GB table: 1g.6gb, 2g.12gb and 4g.24gb, a quarter of the SMs per slice
    assertEquals(0.25, GpuModels.migFraction("1g.6gb", 4), 1e-12);
    assertEquals(0.5, GpuModels.migFraction("2g.12gb", 4), 1e-12);
    assertEquals(1.0, GpuModels.migFraction("4g.24gb", 4), 1e-12);
    assertNull(GpuModels.migFraction("3g.18gb", 4));
  }

  @Test
  void aSevenSliceGpuMatchesTheOneArgumentForm() {
    assertEquals(3 / 7.0, GpuModels.migFraction("3g.40gb", 7), 1e-12);
    assertEquals(3 / 7.0, GpuModels.migFraction("3g.40gb"), 1e-12);
  }

  private static String smiName(String file) throws IOException {
    String[] lines = read(file).split("\n");
    List<String> header = Arrays.asList(lines[0].split(",\\s*"));
    String[] values = lines[1].split(",\\s*");
    return GpuModels.normalize(values[header.indexOf("name")]);
  }

  private static String read(String relative) throws IOException {
    Path p = RealSamples.file(relative);
    return Files.readString(p, StandardCharsets.UTF_8);
  }
}
