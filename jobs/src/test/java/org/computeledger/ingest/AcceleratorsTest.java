package org.computeledger.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.Map;
import java.util.TreeMap;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;
import org.computeledger.RealSamples;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The labels bill lines get for the methodology, from the words providers put in them. The texts are in the
 * formats the three labelled exports write: Google Cloud SKU descriptions ("Nvidia H100 80GB GPU running in
 * Americas"), Azure meter and product names ("ND96isr H100 v5", "Virtual Machines ND H100 v5 Series - Linux"),
 * AWS usage types ("BoxUsage:p5.48xlarge") and line item descriptions ("$1.624 per On Demand Linux g5.4xlarge
 * Instance Hour", as in the shared FOCUS sample). The three providers do not list the export SKUs (H800, H20,
 * A800, L20: China-market GPUs), MI325X, MI355X, MI300A or Gaudi: those rows put the vendor's product name in
 * the same field formats, as any bill naming the chip would.
 */
class AcceleratorsTest {
  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource(
      delimiter = '|',
      value = {
        "TPU v5e chip-hour|tpu-v5e",
        "TPU7x chip-hour|tpu-v7", // Google's seventh generation is "TPU7x", without a v
        "tpu-7x|tpu-v7",
        "BoxUsage:g5.12xlarge|a10g",
        "$1.624 per On Demand Linux g5.4xlarge Instance Hour|a10g",
        "BoxUsage:p6-b300.48xlarge|b300", // AWS's B300 instances: never the B200 of p6
        "GB300 NVL72 GPU-hour|gb300",
        "Nvidia H100 80GB GPU running in Americas|h100",
        "ND96isr H100 v5|h100",
        // AMD Instinct: Azure's MI300X VM, and the later and the APU parts by their product names
        "ND96isr MI300X v5|mi300x",
        "Virtual Machines ND MI300X v5 Series - Linux|mi300x",
        "AMD Instinct MI325X GPU running in Americas|mi325x",
        "AMD Instinct MI355X GPU running in EMEA|mi355x",
        "AMD Instinct MI300A APU running in EMEA|mi300a",
        // NVIDIA's export SKUs, each its own label: an H20 is not an H200 nor an H100
        "Nvidia H800 80GB GPU running in APAC|h800",
        "Nvidia H20 96GB GPU running in APAC|h20",
        "Nvidia A800 80GB GPU running in APAC|a800",
        "Nvidia L20 48GB GPU running in APAC|l20",
        "Nvidia H200 141GB GPU running in Americas|h200",
        // Intel Gaudi by generation, as Intel writes it (with and without the space, with the registered sign)
        "Intel Gaudi 2 AI accelerator running in Americas|gaudi2",
        "Gaudi2 accelerator-hour|gaudi2",
        "Intel Gaudi 3 AI accelerator running in Americas|gaudi3",
        "Intel® Gaudi® 3 AI Accelerator-hour|gaudi3",
        "Intel Gaudi accelerator-hour|", // no generation named: unlabelled, as a TPU without its version
        "Nvidia Tesla P4 GPU running in Americas|p4", // retired, no catalog rows: still labelled
        // Azure's managed-disk tiers share GPU names: storage, never accelerator time
        "Premium SSD Managed Disks - P4 LRS - US East|", // in the shared FOCUS sample
        "P4 LRS Disk|",
        "P30 ZRS Disk|",
        "Data Transfer Out|",
      })
  void aBillLineIsLabelledWithTheAcceleratorItNames(String text, String label) {
    assertEquals(label, Accelerators.of(text));
  }

  @Test
  void theFirstTextThatNamesAnAcceleratorLabelsTheLine() {
    // Azure passes meter name, sub-category and product name; a disk meter names none of them
    assertEquals("mi300x", Accelerators.of(null, "", "ND96isr MI300X v5"));
    assertNull(Accelerators.of("Data Transfer Out", null, ""));
  }

  @Test
  void onlyTheG5LinesOfTheRealBillSamplesNameAnAccelerator() throws Exception {
    // short names (h20, l20, a800, p4) must not fire on real bill text: every field of both real bill samples
    Map<String, String> labelled = new TreeMap<>();
    CSVFormat format = CSVFormat.RFC4180.builder().setHeader().setSkipHeaderRecord(true).build();
    for (String sample : new String[] {"billing/focus-1.0-sample.csv", "billing/aws-cur-legacy-sample.csv"}) {
      try (Reader r = Files.newBufferedReader(RealSamples.file(sample), StandardCharsets.UTF_8);
          CSVParser p = CSVParser.parse(r, format)) {
        for (CSVRecord rec : p) {
          for (String field : rec.values()) {
            String label = Accelerators.of(field);
            if (label != null) {
              labelled.put(field, label);
            }
          }
        }
      }
    }
    assertEquals(Map.of("$1.624 per On Demand Linux g5.4xlarge Instance Hour", "a10g"), labelled);
  }
}
