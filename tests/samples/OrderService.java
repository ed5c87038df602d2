package com.example.shop.orders;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Places, pays and cancels customer orders.
 */
public class OrderService {

    public enum Status { NEW, PAID, CANCELLED }

    public record OrderLine(String sku, int quantity, BigDecimal unitPrice) {
        BigDecimal total() {
            return unitPrice.multiply(BigDecimal.valueOf(quantity));
        }
    }

    public static final class Order {
        final String id;
        final List<OrderLine> lines = new ArrayList<>();
        Status status = Status.NEW;

        Order(String id) {
            this.id = id;
        }
    }

    private final Map<String, Order> orders = new ConcurrentHashMap<>();
    private final PaymentGateway gateway;

    public OrderService(PaymentGateway gateway) {
        this.gateway = gateway;
    }

    public Order place(String id, List<OrderLine> lines) {
        if (lines.isEmpty()) {
            throw new IllegalArgumentException("an order needs at least one line");
        }
        Order order = new Order(id);
        order.lines.addAll(lines);
        orders.put(id, order);
        return order;
    }

    public BigDecimal total(String id) {
        return find(id).map(o -> o.lines.stream().map(OrderLine::total)
                .reduce(BigDecimal.ZERO, BigDecimal::add)).orElse(BigDecimal.ZERO);
    }

    public boolean pay(String id, String cardToken) {
        Order order = find(id).orElseThrow();
        if (order.status != Status.NEW) {
            return false;
        }
        boolean charged = gateway.charge(cardToken, total(id));
        if (charged) {
            order.status = Status.PAID;
        }
        return charged;
    }

    public void cancel(String id) {
        find(id).ifPresent(order -> {
            if (order.status == Status.PAID) {
                gateway.refund(order.id, total(id));
            }
            order.status = Status.CANCELLED;
        });
    }

    private Optional<Order> find(String id) {
        return Optional.ofNullable(orders.get(id));
    }

    public interface PaymentGateway {
        boolean charge(String cardToken, BigDecimal amount);

        void refund(String orderId, BigDecimal amount);
    }
}
