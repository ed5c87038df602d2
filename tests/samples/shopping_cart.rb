# frozen_string_literal: true

require 'bigdecimal'
require 'json'

module Shop
  # A customer's cart with line items and a discount code.
  class Cart
    TAX_RATE = BigDecimal('0.2')

    attr_reader :items, :discount

    def initialize
      @items = Hash.new(0)
      @discount = nil
    end

    def add(sku, quantity = 1)
      raise ArgumentError, 'quantity must be positive' unless quantity.positive?

      @items[sku] += quantity
      self
    end

    def remove(sku)
      @items.delete(sku)
      self
    end

    def apply_discount(code)
      @discount = Discount.lookup(code)
    end

    def subtotal(prices)
      @items.sum { |sku, qty| prices.fetch(sku) * qty }
    end

    def total(prices)
      amount = subtotal(prices)
      amount -= @discount.apply(amount) if @discount
      (amount * (1 + TAX_RATE)).round(2)
    end

    def to_json(*args)
      { items: @items, discount: @discount&.code }.to_json(*args)
    end
  end

  # Percentage discounts known to the shop.
  class Discount
    CODES = { 'SPRING10' => 10, 'VIP20' => 20 }.freeze

    attr_reader :code, :percent

    def self.lookup(code)
      percent = CODES[code]
      percent && new(code, percent)
    end

    def initialize(code, percent)
      @code = code
      @percent = percent
    end

    def apply(amount)
      amount * percent / 100
    end
  end
end
