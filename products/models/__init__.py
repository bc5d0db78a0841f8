from .category import ProductCategory
from .pricing import PriceLevel, PriceLevelGrant, ProductPrice
from .product import Product
from .unit import Unit, UnitConversion

__all__ = ["PriceLevel", "PriceLevelGrant", "Product", "ProductCategory", "ProductPrice", "Unit", "UnitConversion"]
