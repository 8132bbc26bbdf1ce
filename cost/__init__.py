"""What a plan costs a month: a pure function from planned resources, a region and usage
assumptions to priced lines. Standard library only; it imports nothing of the program, so the
preview and the policy pack both use it.
"""
from cost.estimate import estimate
from cost.model import Estimate, Line, Resource
from cost.prices import PriceTable, load_prices
from cost.usage import USAGE_KEYS, Usage, UsageError, load_usage

__all__ = ["Estimate", "Line", "PriceTable", "Resource", "USAGE_KEYS", "Usage", "UsageError",
           "estimate", "load_prices", "load_usage"]
