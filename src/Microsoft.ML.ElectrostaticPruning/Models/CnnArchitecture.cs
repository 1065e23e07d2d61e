namespace Microsoft.ML.ElectrostaticPruning;

/// <summary>The convolutional networks of the model zoo.</summary>
public enum CnnArchitecture
{
    /// <summary>Two 3x3 conv-BN-ReLU-maxpool stages (32 and 64 filters) and a flatten-to-Linear classifier; for MNIST-class data.</summary>
    SmallCnn,

    /// <summary>He et al.'s CIFAR ResNet-20 (3 stages of 3 basic blocks, widths 16/32/64, option-A shortcuts).</summary>
    ResNet20,

    /// <summary>CIFAR ResNet-32 (3 stages of 5 basic blocks).</summary>
    ResNet32,

    /// <summary>CIFAR ResNet-44 (3 stages of 7 basic blocks).</summary>
    ResNet44,

    /// <summary>CIFAR ResNet-56 (3 stages of 9 basic blocks).</summary>
    ResNet56,

    /// <summary>CIFAR ResNet-110 (3 stages of 18 basic blocks).</summary>
    ResNet110,

    /// <summary>CIFAR VGG-11 with BatchNorm (8 bias-free 3x3 convs, global average pooling, one Linear).</summary>
    Vgg11,

    /// <summary>CIFAR VGG-13 with BatchNorm (10 convs).</summary>
    Vgg13,

    /// <summary>CIFAR VGG-16 with BatchNorm (13 convs).</summary>
    Vgg16,

    /// <summary>CIFAR VGG-19 with BatchNorm (16 convs).</summary>
    Vgg19,

    /// <summary>ImageNet ResNet-18 (torchvision layout, basic blocks 2/2/2/2).</summary>
    ResNet18,

    /// <summary>ImageNet ResNet-34 (torchvision layout, basic blocks 3/4/6/3).</summary>
    ResNet34,

    /// <summary>ImageNet ResNet-50 (torchvision layout, bottleneck blocks 3/4/6/3).</summary>
    ResNet50,
}
