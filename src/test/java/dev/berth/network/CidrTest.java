package dev.berth.network;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.berth.api.BerthException;
import org.junit.jupiter.api.Test;

class CidrTest {
    @Test
    void parsesClearsHostBitsAndFormats() {
        assertThat(Cidr.parse("10.89.3.7/16").toString()).isEqualTo("10.89.0.0/16");
        assertThat(Cidr.parse("10.92.4.0/24").host(1)).isEqualTo("10.92.4.1");
        assertThat(Cidr.parse("10.96.0.0/16").size()).isEqualTo(65536);
    }

    @Test
    void overlapIsContainmentEitherWay() {
        Cidr wide = Cidr.parse("10.89.0.0/16");
        assertThat(wide.overlaps(Cidr.parse("10.89.7.0/24"))).isTrue();
        assertThat(Cidr.parse("10.89.7.0/24").overlaps(wide)).isTrue();
        assertThat(wide.overlaps(Cidr.parse("10.90.0.0/24"))).isFalse();
        assertThat(Cidr.parse("10.92.1.0/24").overlaps(Cidr.parse("10.92.2.0/24"))).isFalse();
        assertThat(wide.contains("10.89.255.1")).isTrue();
        assertThat(wide.contains("10.88.0.1")).isFalse();
    }

    @Test
    void refusesWhatIsNoSubnet() {
        for (String bad : new String[] {"10.89.0.0", "10.89.0.256/24", "10.89.0.0/33", "ten/8", "10.89.0/24", "10.89.0.0/-1"}) {
            assertThatThrownBy(() -> Cidr.parse(bad)).as(bad).isInstanceOf(BerthException.class).hasMessageContaining(bad);
        }
    }
}
